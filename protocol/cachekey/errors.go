package cachekey

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every failure is a *KeyError that unwraps to one of these, so
// callers branch with errors.Is.
var (
	// ErrInvalidSegment reports a namespace or operation that does not fully match
	// ^[a-z0-9][a-z0-9._-]{0,63}$ or that contains "..".
	ErrInvalidSegment = errors.New("cachekey: a namespace or operation must match ^[a-z0-9][a-z0-9._-]{0,63}$ and must not contain \"..\"")

	// ErrReservedNamespace reports the namespaces "ns" and "nsapi", which the
	// cachekit.io server parses as key prefixes.
	ErrReservedNamespace = errors.New("cachekey: the namespaces \"ns\" and \"nsapi\" are reserved")

	// ErrUnsupportedType reports an argument outside the interop data model (a struct,
	// a map with non-string keys, a channel, ...).
	ErrUnsupportedType = errors.New("cachekey: the argument type is outside the interop/v1 data model")

	// ErrOutOfRange reports an integer outside [-2^63, 2^64-1] or a time whose
	// microsecond timestamp does not fit in 64 bits.
	ErrOutOfRange = errors.New("cachekey: the argument is outside the range interop/v1 keys can hold")

	// ErrNonFinite reports a NaN or infinite float.
	ErrNonFinite = errors.New("cachekey: NaN and infinite floats cannot be part of a key")

	// ErrInvalidUTF8 reports a string or map key that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("cachekey: strings in a key must be valid UTF-8")

	// ErrTooDeep reports arguments nested deeper than codec.MaxDepth levels (or a cycle).
	ErrTooDeep = errors.New("cachekey: arguments nest deeper than 100 levels")
)

// KeyError describes why a key could not be built. It says where the problem is and the
// Go type involved, never an argument's value (arguments may be personal data).
type KeyError struct {
	// Where is "namespace", "operation", or the path of an argument such as
	// `args[1]["when"]{set}[0]`.
	Where string
	// Reason says what was wrong, in words.
	Reason string
	// Err is the sentinel error for the class of problem.
	Err error
}

// Error implements error.
func (e *KeyError) Error() string {
	return fmt.Sprintf("cachekey: %s: %s", e.Where, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *KeyError) Unwrap() error { return e.Err }

// argError builds the error for an argument; the caller prefixes the path as the error
// travels up.
func argError(err error, format string, a ...any) *KeyError {
	return &KeyError{Reason: fmt.Sprintf(format, a...), Err: err}
}

// within prepends one path step to an argument error.
func within(err error, step string) error {
	var ke *KeyError
	if errors.As(err, &ke) {
		ke.Where = step + ke.Where
	}
	return err
}
