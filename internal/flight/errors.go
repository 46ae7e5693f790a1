package flight

import (
	"errors"
	"fmt"
)

// Sentinel errors. Panics and coordination failures are reported as the typed errors
// below, which match their sentinel with errors.Is.
var (
	// ErrInvalidOptions is returned (wrapped, with the field at fault) by New.
	ErrInvalidOptions = errors.New("flight: the options are not valid")
	// ErrClosed is returned by Do after Close, and to the callers of a flight that
	// Close interrupted while it was waiting for another process.
	ErrClosed = errors.New("flight: the group is closed")
	// ErrNilLoad is returned by Do when the load function is nil.
	ErrNilLoad = errors.New("flight: the load function is nil")
	// ErrPanic is matched by every *PanicError.
	ErrPanic = errors.New("flight: the load or check function panicked")
	// ErrGoexit is returned to the callers of a flight whose load or check function
	// called runtime.Goexit (as t.FailNow does) instead of returning.
	ErrGoexit = errors.New("flight: the load or check function exited its goroutine without returning")
	// ErrCoordination is matched by every *CoordinationError.
	ErrCoordination = errors.New("flight: a backend call coordinating loads across processes failed")
)

// PanicError is the error every caller of a flight receives when its load or check
// function panicked. The panic is recovered so that it reaches the callers as an error
// instead of crashing the process from a goroutine none of them owns.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the stack trace of the panicking goroutine. It is kept out of Error.
	Stack []byte
}

// Error describes the panic by its value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("flight: the load or check function panicked: %v", e.Value)
}

// Is reports whether target is ErrPanic.
func (e *PanicError) Is(target error) bool { return target == ErrPanic }

// Unwrap returns the panic value when it is an error, so that errors.Is and errors.As
// see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// CoordinationError reports a failed backend call the group made for its own
// coordination. It is given to Options.OnError and never returned by Do: the group
// carries on without the lock (fail open).
type CoordinationError struct {
	// Op is the backend operation: "acquire_lock", "release_lock" or
	// "subscribe_invalidations".
	Op string
	// Key is the storage key of the flight, or the invalidation prefix for
	// "subscribe_invalidations".
	Key string
	// Err is the backend's error.
	Err error
}

// Error names the operation, the key and the cause.
func (e *CoordinationError) Error() string {
	return fmt.Sprintf("flight: %s %q failed, continuing without cross-process coordination: %v", e.Op, e.Key, e.Err)
}

// Unwrap returns the backend's error, so errors.Is(err, backend.ErrTransient) works.
func (e *CoordinationError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCoordination.
func (e *CoordinationError) Is(target error) bool { return target == ErrCoordination }
