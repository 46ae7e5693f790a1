package reliability

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/backoff"
)

// retrier holds the retry policy, with Options' defaults filled in.
type retrier struct {
	maxAttempts int
	base, max   time.Duration
	rand        func() float64
}

func newRetrier(opts RetryOptions) *retrier {
	r := &retrier{maxAttempts: opts.MaxAttempts, base: opts.BaseDelay, max: opts.MaxDelay, rand: opts.Rand}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	return r
}

// backoff returns the wait after attempt number attempt (1 for the first) failed:
// min(base · 2^(attempt-1) · j, max) with j = JitterMin + rand() · (JitterMax - JitterMin).
func (r *retrier) backoff(attempt int) time.Duration {
	// In floating point 2^(attempt-1) saturates at +Inf, and then at the cap, instead of
	// overflowing; the exponent is bounded first because math.Ldexp's own can overflow.
	d := math.Ldexp(float64(r.base), min(attempt-1, 2048))
	u := r.rand()
	if !(u >= 0) { // also catches NaN
		u = 0
	} else if u >= 1 {
		u = 0.9999999999999999
	}
	w := d * (JitterMin + u*(JitterMax-JitterMin))
	if w >= float64(r.max) {
		return r.max
	}
	return time.Duration(w)
}

// withRetry calls fn(ctx, a) until it succeeds, fails with an error backend.IsRetryable
// rejects, or the attempts run out. It does not retry once ctx is done or when ctx's
// deadline would pass before the next attempt, and it abandons a wait when ctx ends,
// returning an error that wraps ctx's.
func withRetry[A, R any](ctx context.Context, c *core, op, key string, a A, fn func(context.Context, A) (R, error)) (R, error) {
	r, err := fn(ctx, a)
	if c.retry == nil {
		return r, err
	}
	for attempt := 1; err != nil && attempt < c.retry.maxAttempts && backend.IsRetryable(err); attempt++ {
		if ctx.Err() != nil {
			break
		}
		wait := c.retry.backoff(attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			break
		}
		if werr := backoff.Wait(ctx, wait); werr != nil {
			var zero R
			return zero, abandonedError(op, key, werr, err, attempt)
		}
		c.stats.retries.Add(1)
		r, err = fn(ctx, a)
	}
	return r, err
}
