package reliability

import (
	"context"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// How capabilities are preserved. A wrapper type that had every capability method would
// make b.(backend.Locker) succeed even over a backend without locks. Instead,
// withCapabilities builds one value of one of sixteen struct types: each embeds *core
// (the backend.Backend methods, Stats and Unwrap) and exactly the capability parts
// below that the wrapped backend offers, so the method set of the result, and every type
// assertion on it, matches the wrapped backend. TTLInspector and BatchGetter calls go
// through the stack; Locker and Invalidator calls go straight to the wrapped backend: a
// lock is a single non-blocking attempt the caller already handles, and a subscription
// is long-lived, neither fits a retry or a breaker.

// Bits of the capability set of a wrapped backend.
const (
	hasT = 1 << iota // backend.TTLInspector
	hasB             // backend.BatchGetter
	hasL             // backend.Locker
	hasI             // backend.Invalidator
)

// inspector gives a wrapper backend.TTLInspector, through the stack.
type inspector struct {
	c     *core
	inner backend.TTLInspector
}

type ttlCall struct {
	b   backend.TTLInspector
	key string
	ttl time.Duration
}

func ttlOnce(ctx context.Context, a ttlCall) (found[time.Duration], error) {
	d, ok, err := a.b.TTL(ctx, a.key)
	return found[time.Duration]{d, ok}, err
}

func refreshOnce(ctx context.Context, a ttlCall) (bool, error) {
	return a.b.RefreshTTL(ctx, a.key, a.ttl)
}

// TTL reads the remaining lifetime of key through the stack.
func (p inspector) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	r, err := call(ctx, p.c, "ttl", key, ttlCall{b: p.inner, key: key}, ttlOnce)
	return r.value, r.found, err
}

// RefreshTTL sets the remaining lifetime of key through the stack.
func (p inspector) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return call(ctx, p.c, "refresh_ttl", key, ttlCall{p.inner, key, ttl}, refreshOnce)
}

// batcher gives a wrapper backend.BatchGetter, through the stack.
type batcher struct {
	c     *core
	inner backend.BatchGetter
}

type batchCall struct {
	b    backend.BatchGetter
	keys []string
}

func getManyOnce(ctx context.Context, a batchCall) (map[string][]byte, error) {
	return a.b.GetMany(ctx, a.keys)
}

// GetMany reads keys in one round trip through the stack; the whole batch is one call
// for retries, the breaker and backpressure.
func (p batcher) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	return call(ctx, p.c, "get_many", "", batchCall{p.inner, keys}, getManyOnce)
}

// locker gives a wrapper backend.Locker, bypassing the stack.
type locker struct{ inner backend.Locker }

// AcquireLock calls the wrapped backend directly.
func (p locker) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	return p.inner.AcquireLock(ctx, key, timeout)
}

// ReleaseLock calls the wrapped backend directly.
func (p locker) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	return p.inner.ReleaseLock(ctx, key, lockID)
}

// invalidator gives a wrapper backend.Invalidator, bypassing the stack.
type invalidator struct{ inner backend.Invalidator }

// SubscribeInvalidations calls the wrapped backend directly.
func (p invalidator) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	return p.inner.SubscribeInvalidations(ctx, prefix, fn)
}

// The wrapper types, one per non-empty capability set; *core alone serves the empty
// set. The letters name the capabilities: T TTLInspector, B BatchGetter, L Locker,
// I Invalidator.
type (
	withT struct {
		*core
		inspector
	}
	withB struct {
		*core
		batcher
	}
	withTB struct {
		*core
		inspector
		batcher
	}
	withL struct {
		*core
		locker
	}
	withTL struct {
		*core
		inspector
		locker
	}
	withBL struct {
		*core
		batcher
		locker
	}
	withTBL struct {
		*core
		inspector
		batcher
		locker
	}
	withI struct {
		*core
		invalidator
	}
	withTI struct {
		*core
		inspector
		invalidator
	}
	withBI struct {
		*core
		batcher
		invalidator
	}
	withTBI struct {
		*core
		inspector
		batcher
		invalidator
	}
	withLI struct {
		*core
		locker
		invalidator
	}
	withTLI struct {
		*core
		inspector
		locker
		invalidator
	}
	withBLI struct {
		*core
		batcher
		locker
		invalidator
	}
	withTBLI struct {
		*core
		inspector
		batcher
		locker
		invalidator
	}
)

// withCapabilities returns c dressed with exactly the capabilities of c.inner.
func withCapabilities(c *core) Backend {
	var (
		set         int
		inspector   inspector
		batcher     batcher
		locker      locker
		invalidator invalidator
	)
	if x, ok := c.inner.(backend.TTLInspector); ok {
		set |= hasT
		inspector.c, inspector.inner = c, x
	}
	if x, ok := c.inner.(backend.BatchGetter); ok {
		set |= hasB
		batcher.c, batcher.inner = c, x
	}
	if x, ok := c.inner.(backend.Locker); ok {
		set |= hasL
		locker.inner = x
	}
	if x, ok := c.inner.(backend.Invalidator); ok {
		set |= hasI
		invalidator.inner = x
	}
	switch set {
	case hasT:
		return withT{c, inspector}
	case hasB:
		return withB{c, batcher}
	case hasT | hasB:
		return withTB{c, inspector, batcher}
	case hasL:
		return withL{c, locker}
	case hasT | hasL:
		return withTL{c, inspector, locker}
	case hasB | hasL:
		return withBL{c, batcher, locker}
	case hasT | hasB | hasL:
		return withTBL{c, inspector, batcher, locker}
	case hasI:
		return withI{c, invalidator}
	case hasT | hasI:
		return withTI{c, inspector, invalidator}
	case hasB | hasI:
		return withBI{c, batcher, invalidator}
	case hasT | hasB | hasI:
		return withTBI{c, inspector, batcher, invalidator}
	case hasL | hasI:
		return withLI{c, locker, invalidator}
	case hasT | hasL | hasI:
		return withTLI{c, inspector, locker, invalidator}
	case hasB | hasL | hasI:
		return withBLI{c, batcher, locker, invalidator}
	case hasT | hasB | hasL | hasI:
		return withTBLI{c, inspector, batcher, locker, invalidator}
	}
	return c
}
