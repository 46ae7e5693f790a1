package reliability

import (
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// backendName is the Backend field of the errors this package makes itself.
const backendName = "reliability"

// Sentinel errors. A call refused by the middleware returns a *backend.Error of kind
// backend.KindTransient whose cause wraps ErrCircuitOpen or ErrBackpressure, so that
//
//   - errors.Is(err, ErrCircuitOpen) or errors.Is(err, ErrBackpressure) tells which
//     guard refused the call, and
//   - errors.Is(err, backend.ErrTransient) and backend.IsRetryable(err) are true, so
//     callers that treat transient failures as "the store is unavailable right now"
//     need no special case for the middleware.
//
// Neither is ever counted by the breaker: both are decided before the inner backend is
// called.
var (
	// ErrCircuitOpen: the circuit breaker is open (or half-open with every probe slot
	// taken), so the call was failed fast without reaching the backend.
	ErrCircuitOpen = errors.New("reliability: the circuit breaker is open, so the call was not attempted")
	// ErrBackpressure: too many calls were in flight and this one was shed, either
	// because the queue of waiting calls was full or because it waited longer than
	// BackpressureOptions.MaxWait for a slot.
	ErrBackpressure = errors.New("reliability: too many backend calls are in flight, so the call was shed")
	// ErrInvalidOptions: New was given a nil backend or options out of range.
	ErrInvalidOptions = errors.New("reliability: the options are not valid")
)

func circuitOpenError(op, key string) error {
	return backend.NewError(backend.KindTransient, backendName, op, key, ErrCircuitOpen)
}

func queueFullError(op, key string, queue int) error {
	return backend.NewError(backend.KindTransient, backendName, op, key,
		fmt.Errorf("%w: all %d queue places are taken", ErrBackpressure, queue))
}

func waitedTooLongError(op, key string, wait time.Duration) error {
	return backend.NewError(backend.KindTransient, backendName, op, key,
		fmt.Errorf("%w: no slot freed within %v", ErrBackpressure, wait))
}

// abandonedError reports a call whose context ended while it waited before a retry. It
// wraps ctx's error, so errors.Is(err, context.Canceled) and the kind backend.ContextError
// gives keep working, and its message keeps the failure that caused the retry.
func abandonedError(op, key string, ctxErr, last error, attempts int) error {
	return backend.ContextError(backendName, op, key,
		fmt.Errorf("%w while waiting to retry after %d attempt(s) (last failure: %v)", ctxErr, attempts, last))
}
