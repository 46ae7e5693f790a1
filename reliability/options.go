package reliability

import (
	"fmt"
	"time"
)

// Defaults for the zero fields of Options. They match the reliability stack of the
// other cachekit SDKs.
const (
	// DefaultMaxAttempts is how many times a call is tried in all, the first included.
	DefaultMaxAttempts = 3
	// DefaultBaseDelay is the wait before the first retry, before jitter; each later
	// wait doubles it.
	DefaultBaseDelay = 100 * time.Millisecond
	// DefaultMaxDelay caps every wait between attempts, jitter included.
	DefaultMaxDelay = 5 * time.Second

	// DefaultFailureThreshold is how many availability failures within the window open
	// the circuit.
	DefaultFailureThreshold = 5
	// MaxFailureThreshold is the largest BreakerOptions.FailureThreshold accepted: the
	// breaker remembers the time of that many recent failures.
	MaxFailureThreshold = 1 << 16
	// DefaultWindow is the rolling window over which failures are counted.
	DefaultWindow = 60 * time.Second
	// DefaultOpenDuration is how long an open circuit fails calls fast before letting
	// probes through.
	DefaultOpenDuration = 5 * time.Second
	// DefaultHalfOpenProbes is how many probe calls a half-open circuit lets run at once.
	DefaultHalfOpenProbes = 3
	// DefaultSuccessThreshold is how many successful probes close a half-open circuit.
	DefaultSuccessThreshold = 3

	// DefaultMaxConcurrent is how many calls may run against the backend at once.
	DefaultMaxConcurrent = 100
	// DefaultMaxQueue is how many calls may wait for a slot when all are taken.
	DefaultMaxQueue = 1000
	// DefaultMaxWait is how long a call waits for a slot before it is shed.
	DefaultMaxWait = 100 * time.Millisecond
)

// The jitter multiplier applied to each retry wait is drawn uniformly from
// [JitterMin, JitterMax).
const (
	JitterMin = 0.5
	JitterMax = 1.5
)

// Options configures the middleware. The zero value turns on all three guards with the
// Default* values; each guard can be switched off on its own.
type Options struct {
	// Retry configures the retry of transient and timeout failures.
	Retry RetryOptions
	// Breaker configures the circuit breaker.
	Breaker BreakerOptions
	// Backpressure configures the bound on concurrent calls.
	Backpressure BackpressureOptions

	// OnStateChange, when not nil, is called on every transition of the circuit
	// breaker. It runs synchronously on the goroutine whose call caused the transition
	// (or that read Stats or Health), after the breaker's lock is released, so it may
	// call Stats but must not block. Transitions made at nearly the same moment by different
	// goroutines may be reported concurrently and out of order; Stats().State is
	// always current.
	OnStateChange func(from, to State)
}

// RetryOptions configures retries. A call is retried only when backend.IsRetryable
// reports its error as transient or timeout, never once its context is done, and never
// when the context's deadline would pass during the wait. The wait before attempt n+1 is
//
//	min(BaseDelay · 2^(n-1) · j, MaxDelay)   with j uniform in [JitterMin, JitterMax).
//
// Every operation that goes through the stack is retried, Set and Delete included: a
// Set repeats the same write, and a Delete whose first attempt removed the entry but
// whose reply was lost reports deleted == false on the retry.
type RetryOptions struct {
	// Disabled turns retries off: every call is tried once.
	Disabled bool
	// MaxAttempts is how many times a call is tried in all, the first attempt
	// included. Zero means DefaultMaxAttempts; it must not be negative.
	MaxAttempts int
	// BaseDelay is the wait before the first retry, before jitter. Zero means
	// DefaultBaseDelay; it must not be negative.
	BaseDelay time.Duration
	// MaxDelay caps every wait, jitter included. Zero means DefaultMaxDelay; it must not
	// be negative or smaller than BaseDelay.
	MaxDelay time.Duration
	// Rand returns a number uniformly distributed in [0, 1) that picks the jitter
	// multiplier. Nil means math/rand/v2's Float64. It is called from many goroutines
	// at once. Tests set it to make the waits predictable; a value outside [0, 1) is
	// clamped into it.
	Rand func() float64
}

// BreakerOptions configures the circuit breaker. The breaker sees one outcome per
// call, after the retries. It counts an outcome as a failure when backend.IsRetryable
// reports the error as transient or timeout (the backend is unavailable or too slow)
// and the call's context was not cancelled. Successes, misses, permanent and
// authentication errors (the backend answered) and cancellations are never failures.
//
// Closed, it lets every call through and opens once FailureThreshold failures have
// happened within Window. Open, it fails every call fast for OpenDuration with an error
// wrapping ErrCircuitOpen, then turns half-open. Half-open, it lets at most
// HalfOpenProbes calls run at once (the rest fail fast as when open), closes after
// SuccessThreshold of them succeed and reopens on the first failure.
type BreakerOptions struct {
	// Disabled turns the circuit breaker off: it stays closed for ever.
	Disabled bool
	// FailureThreshold is how many failures within Window open the circuit. Zero means
	// DefaultFailureThreshold; it must be between 0 and MaxFailureThreshold.
	FailureThreshold int
	// Window is the rolling window of failures: a failure older than Window no longer
	// counts. Zero means DefaultWindow; it must not be negative.
	Window time.Duration
	// OpenDuration is how long the circuit stays open. Zero means DefaultOpenDuration;
	// it must not be negative.
	OpenDuration time.Duration
	// HalfOpenProbes is how many calls a half-open circuit lets run at once. Zero means
	// DefaultHalfOpenProbes; it must not be negative.
	HalfOpenProbes int
	// SuccessThreshold is how many successful probes close the circuit. Zero means
	// DefaultSuccessThreshold; it must not be negative.
	SuccessThreshold int
}

// BackpressureOptions bounds the calls in flight. A call that finds every slot taken
// waits in a first-in first-out queue for at most MaxWait; it is shed with an error
// wrapping ErrBackpressure when the queue is full or the wait runs out, and returns its
// context's error if that ends first. A call holds its slot for all its attempts and the
// waits between them.
type BackpressureOptions struct {
	// Disabled turns the bound off.
	Disabled bool
	// MaxConcurrent is how many calls may run at once. Zero means DefaultMaxConcurrent;
	// it must not be negative.
	MaxConcurrent int
	// MaxQueue is how many calls may wait for a slot. Zero means DefaultMaxQueue; it
	// must not be negative.
	MaxQueue int
	// MaxWait is how long a call waits for a slot. Zero means DefaultMaxWait; it must
	// not be negative.
	MaxWait time.Duration
}

// withDefaults validates o and fills its zero fields.
func (o Options) withDefaults() (Options, error) {
	type field struct {
		name  string
		value int64
	}
	fields := []field{
		{"Retry.MaxAttempts", int64(o.Retry.MaxAttempts)},
		{"Retry.BaseDelay", int64(o.Retry.BaseDelay)},
		{"Retry.MaxDelay", int64(o.Retry.MaxDelay)},
		{"Breaker.FailureThreshold", int64(o.Breaker.FailureThreshold)},
		{"Breaker.Window", int64(o.Breaker.Window)},
		{"Breaker.OpenDuration", int64(o.Breaker.OpenDuration)},
		{"Breaker.HalfOpenProbes", int64(o.Breaker.HalfOpenProbes)},
		{"Breaker.SuccessThreshold", int64(o.Breaker.SuccessThreshold)},
		{"Backpressure.MaxConcurrent", int64(o.Backpressure.MaxConcurrent)},
		{"Backpressure.MaxQueue", int64(o.Backpressure.MaxQueue)},
		{"Backpressure.MaxWait", int64(o.Backpressure.MaxWait)},
	}
	for _, f := range fields {
		if f.value < 0 {
			return o, fmt.Errorf("%w: %s is negative", ErrInvalidOptions, f.name)
		}
	}

	if o.Breaker.FailureThreshold > MaxFailureThreshold {
		return o, fmt.Errorf("%w: Breaker.FailureThreshold is %d; the most it can be is %d",
			ErrInvalidOptions, o.Breaker.FailureThreshold, MaxFailureThreshold)
	}

	r := &o.Retry
	setDefault(&r.MaxAttempts, DefaultMaxAttempts)
	setDefault(&r.BaseDelay, DefaultBaseDelay)
	setDefault(&r.MaxDelay, DefaultMaxDelay)
	if r.MaxDelay < r.BaseDelay {
		return o, fmt.Errorf("%w: Retry.MaxDelay (%v) is smaller than Retry.BaseDelay (%v)",
			ErrInvalidOptions, r.MaxDelay, r.BaseDelay)
	}

	b := &o.Breaker
	setDefault(&b.FailureThreshold, DefaultFailureThreshold)
	setDefault(&b.Window, DefaultWindow)
	setDefault(&b.OpenDuration, DefaultOpenDuration)
	setDefault(&b.HalfOpenProbes, DefaultHalfOpenProbes)
	setDefault(&b.SuccessThreshold, DefaultSuccessThreshold)

	p := &o.Backpressure
	setDefault(&p.MaxConcurrent, DefaultMaxConcurrent)
	setDefault(&p.MaxQueue, DefaultMaxQueue)
	setDefault(&p.MaxWait, DefaultMaxWait)
	return o, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}
