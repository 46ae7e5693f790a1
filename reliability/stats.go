package reliability

import "sync/atomic"

// Stats is a snapshot of the middleware's counters, read with Backend.Stats. Counters
// only grow; InFlight and Queued are gauges. Calls that bypass the stack (Health,
// AcquireLock, ReleaseLock, SubscribeInvalidations) are not counted.
type Stats struct {
	// State is the circuit breaker's state; always StateClosed when the breaker is
	// disabled.
	State State
	// Calls is the number of calls that entered the stack, refused ones included.
	Calls uint64
	// Retries is the number of attempts made after a call's first.
	Retries uint64
	// Failures is the number of calls whose final outcome was an availability failure
	// (transient or timeout, not a cancellation): what the breaker counts.
	Failures uint64
	// Rejected is the number of calls the circuit breaker failed fast.
	Rejected uint64
	// Shed is the number of calls backpressure refused.
	Shed uint64
	// Transitions is the number of circuit breaker state changes.
	Transitions uint64
	// InFlight is the number of calls holding a backpressure slot now; always zero when
	// backpressure is disabled.
	InFlight int
	// Queued is the number of calls waiting for a slot now.
	Queued int
}

// counters are the running totals behind Stats.
type counters struct {
	calls, retries, failures, rejected, shed, transitions atomic.Uint64
}
