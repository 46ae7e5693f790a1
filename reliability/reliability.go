package reliability

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Backend is a backend.Backend wrapped by New. Its dynamic type implements exactly the
// optional capabilities (backend.TTLInspector, backend.BatchGetter, backend.Locker,
// backend.Invalidator) of the backend it wraps, so type assertions on it are truthful.
type Backend interface {
	backend.Backend

	// Stats returns a snapshot of the counters and the breaker's state. Code that holds
	// the wrapper as a plain backend.Backend (such as the cachekit client, for its own
	// Stats) finds it with a type assertion to reliability.Backend.
	Stats() Stats

	// Unwrap returns the wrapped backend, for example to close it.
	Unwrap() backend.Backend
}

// New wraps inner in the reliability stack configured by opts, whose zero value means
// the defaults. It fails with an error wrapping ErrInvalidOptions when inner is nil or
// an option is out of range. New starts no goroutine and the result needs no Close;
// closing inner stays the job of whoever created it.
func New(inner backend.Backend, opts Options) (Backend, error) {
	if inner == nil {
		return nil, fmt.Errorf("%w: the backend to wrap is nil", ErrInvalidOptions)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &core{inner: inner}
	if !opts.Retry.Disabled {
		c.retry = newRetrier(opts.Retry)
	}
	if !opts.Breaker.Disabled {
		c.breaker = newBreaker(opts.Breaker, opts.OnStateChange, &c.stats)
	}
	if !opts.Backpressure.Disabled {
		c.limiter = newLimiter(opts.Backpressure, &c.stats)
	}
	return withCapabilities(c), nil
}

// core is the part of every wrapper: the stack and the backend.Backend methods.
type core struct {
	inner   backend.Backend
	retry   *retrier // nil when disabled
	breaker *breaker // nil when disabled
	limiter *limiter // nil when disabled
	stats   counters
}

// call runs fn(ctx, a) through backpressure, then the breaker, then retries. fn is a
// plain function of its arguments rather than a closure so that a call allocates
// nothing of its own.
func call[A, R any](ctx context.Context, c *core, op, key string, a A, fn func(context.Context, A) (R, error)) (R, error) {
	var zero R
	if err := ctx.Err(); err != nil {
		// A caller that has already given up learns nothing about the backend.
		return zero, backend.ContextError(backendName, op, key, err)
	}
	c.stats.calls.Add(1)
	if err := c.limiter.acquire(ctx, op, key); err != nil {
		return zero, err
	}
	defer c.limiter.release()
	t, err := c.breaker.admit(op, key)
	if err != nil {
		return zero, err
	}
	r, err := withRetry(ctx, c, op, key, a, fn)
	o := outcomeOf(ctx, err)
	if o == failed {
		c.stats.failures.Add(1)
	}
	c.breaker.done(t, o)
	return r, err
}

// keyCall and the other argument types carry what one backend operation needs.
type keyCall struct {
	b   backend.Backend
	key string
}

type setCall struct {
	b     backend.Backend
	key   string
	value []byte
	ttl   time.Duration
}

type found[T any] struct {
	value T
	found bool
}

func getOnce(ctx context.Context, a keyCall) (found[[]byte], error) {
	v, ok, err := a.b.Get(ctx, a.key)
	return found[[]byte]{v, ok}, err
}

func setOnce(ctx context.Context, a setCall) (struct{}, error) {
	return struct{}{}, a.b.Set(ctx, a.key, a.value, a.ttl)
}

func deleteOnce(ctx context.Context, a keyCall) (bool, error) { return a.b.Delete(ctx, a.key) }

func existsOnce(ctx context.Context, a keyCall) (bool, error) { return a.b.Exists(ctx, a.key) }

// Get reads key through the stack.
func (c *core) Get(ctx context.Context, key string) ([]byte, bool, error) {
	r, err := call(ctx, c, "get", key, keyCall{c.inner, key}, getOnce)
	return r.value, r.found, err
}

// Set writes key through the stack.
func (c *core) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := call(ctx, c, "set", key, setCall{c.inner, key, value, ttl}, setOnce)
	return err
}

// Delete removes key through the stack.
func (c *core) Delete(ctx context.Context, key string) (bool, error) {
	return call(ctx, c, "delete", key, keyCall{c.inner, key}, deleteOnce)
}

// Exists checks key through the stack.
func (c *core) Exists(ctx context.Context, key string) (bool, error) {
	return call(ctx, c, "exists", key, keyCall{c.inner, key}, existsOnce)
}

// Health asks the wrapped backend directly, bypassing the stack, so that a health
// check reaches the backend even while the circuit is open. When the breaker is on,
// Details gains "circuit_breaker" with the breaker's state.
func (c *core) Health(ctx context.Context) (backend.HealthStatus, error) {
	h, err := c.inner.Health(ctx)
	if c.breaker != nil {
		d := make(map[string]string, len(h.Details)+1)
		maps.Copy(d, h.Details)
		d["circuit_breaker"] = c.breaker.current().String()
		h.Details = d
	}
	return h, err
}

// Stats returns a snapshot of the counters and the breaker's state.
func (c *core) Stats() Stats {
	return Stats{
		State:       c.breaker.current(),
		Calls:       c.stats.calls.Load(),
		Retries:     c.stats.retries.Load(),
		Failures:    c.stats.failures.Load(),
		Rejected:    c.stats.rejected.Load(),
		Shed:        c.stats.shed.Load(),
		Transitions: c.stats.transitions.Load(),
		InFlight:    c.limiter.inFlight(),
		Queued:      c.limiter.waiting(),
	}
}

// Unwrap returns the wrapped backend.
func (c *core) Unwrap() backend.Backend { return c.inner }
