package cachekit

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/flight"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

// ErrNoNamespace is wrapped by the KindConfig error of Memoize for a client without a
// namespace: the interop/v1 key needs one.
var ErrNoNamespace = errors.New("cachekit: Memoize needs a client namespace (Options.Namespace) for its interop/v1 keys")

// memoizer is the type-specific half of a memoized function; the shared half (the
// single-flight group and the background refreshes) is the client's memoState.
type memoizer[R any] struct {
	c       *Client
	op      string // "memoize {operation}", the Op of its errors
	ns      string // the interop namespace: the client's, without the colon
	opName  string
	ttl     time.Duration
	swr     float64 // 0: off
	negTTL  time.Duration
	negErr  error
	negOK   func(error) bool
	keyFunc func(args ...any) (string, error)
	recent  *recentKeys // nil with keyFunc
	encrypt bool
	timeout time.Duration
	onWrite func(key string, err error)
}

// state is what a cache read found.
type state uint8

const (
	stateMiss state = iota
	stateFresh
	stateStale
	stateNegative
)

func newMemoizer[R any](c *Client, op string, nilFn bool, opts []MemoOption) (*memoizer[R], error) {
	const errOp = "memoize"
	if c == nil {
		return nil, errorf(KindConfig, errOp, "", "the client is nil")
	}
	var cfg memoConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, c.fail(newError(KindConfig, errOp, "", errors.Join(cfg.errs...)))
	}
	if nilFn {
		return nil, c.fail(errorf(KindConfig, errOp, "", "the function is nil"))
	}
	if c.closed.Load() {
		return nil, c.fail(newError(KindConfig, errOp, "", ErrClosed))
	}
	m := &memoizer[R]{
		c:       c,
		op:      errOp + " " + op,
		ns:      strings.TrimSuffix(c.prefix, ":"),
		opName:  op,
		ttl:     c.defaultTTL,
		swr:     c.memoSWR,
		keyFunc: cfg.keyFunc,
		encrypt: cfg.secure || c.encryptAll,
		timeout: DefaultMemoLoadTimeout,
		onWrite: cfg.onWriteError,
		// A cached failure written by a memoizer configured with MemoCacheError reads
		// as ErrCachedFailure even here.
		negErr: ErrCachedFailure,
	}
	if cfg.keyFunc == nil {
		m.recent = newRecentKeys()
		if m.ns == "" {
			return nil, c.fail(newError(KindConfig, errOp, "", ErrNoNamespace))
		}
		if err := cachekey.Validate(m.ns, op); err != nil {
			return nil, c.fail(newError(KindConfig, errOp, "", fmt.Errorf("the client namespace and the operation must be interop/v1 segments: %w", err)))
		}
	} else if err := cachekey.Validate("memoize", op); err != nil {
		return nil, c.fail(newError(KindConfig, errOp, "", fmt.Errorf("the operation: %w", err)))
	}
	if m.encrypt && c.keyring == nil {
		return nil, c.fail(newError(KindConfig, errOp, "", ErrNoMasterKey))
	}
	if cfg.ttl > 0 {
		m.ttl, _ = backend.NormalizeTTL(cfg.ttl)
	}
	switch {
	case cfg.swrRatio < 0:
		m.swr = 0
	case cfg.swrRatio > 0:
		m.swr = cfg.swrRatio
	}
	if cfg.negMatch != nil {
		m.negTTL, _ = backend.NormalizeTTL(cfg.negTTL)
		m.negOK = cfg.negMatch
		m.negErr = negativeError(cfg.negTarget)
	}
	if cfg.loadTimeout > 0 {
		m.timeout = cfg.loadTimeout
	}
	return m, nil
}

// call is one call of the memoized function with arguments args. bind returns the
// wrapped function bound to them; call asks for it only when it runs the function (a
// miss, a stale value, an outage), so that a hit builds no closure.
func (m *memoizer[R]) call(ctx context.Context, args []any, bind func() func(context.Context) (R, error)) (R, error) {
	var zero R
	c := m.c
	if c.closed.Load() {
		return zero, c.fail(newError(KindConfig, m.op, "", ErrClosed))
	}
	key, err := m.key(args)
	if err != nil {
		return zero, err
	}
	v, st, err := m.read(ctx, key)
	if err != nil {
		if !m.encrypt && ctx.Err() == nil && isOutage(err) {
			c.stats.memoUncached.Add(1)
			c.stats.memoLoads.Add(1)
			return bind()(ctx)
		}
		return zero, err
	}
	switch st {
	case stateFresh:
		c.stats.memoHits.Add(1)
		return v, nil
	case stateStale:
		c.stats.memoStale.Add(1)
		m.refresh(ctx, key, bind())
		return v, nil
	case stateNegative:
		c.stats.memoNegative.Add(1)
		return zero, m.negErr
	}
	c.stats.memoMisses.Add(1)
	return m.load(ctx, key, bind())
}

// key returns the client key (without the namespace prefix) of a call. args is not
// kept: the key function gets a copy, so that the argument list of a call can live on
// the caller's stack.
func (m *memoizer[R]) key(args []any) (string, error) {
	c := m.c
	if m.keyFunc != nil {
		key, err := m.keyFunc(slices.Clone(args)...)
		if err != nil {
			return "", c.fail(newError(KindInvalidKey, m.op, "", fmt.Errorf("the key function failed: %w", err)))
		}
		if e := checkKey(m.op, key); e != nil {
			return "", c.fail(e)
		}
		return key, nil
	}
	remembered, slot := m.recent.find(args)
	if remembered != "" {
		return remembered, nil
	}
	full, err := cachekey.Interop(m.ns, m.opName, args...)
	if err != nil {
		return "", c.fail(newError(KindInvalidKey, m.op, "", err))
	}
	// The interop key starts with the namespace the client prefixes to every key: the
	// client key is the rest, so the storage key is exactly the interop key.
	key := full[len(c.prefix):]
	if slot != nil {
		m.recent.remember(slot, args, key)
	}
	return key, nil
}

// isOutage reports whether err says the backend is unavailable, the class of errors a
// plain memoizer answers by running the function uncached.
func isOutage(err error) bool {
	k, ok := KindOf(err)
	return ok && (k == KindBackendTransient || k == KindBackendTimeout ||
		k == KindBackendCircuitOpen || k == KindBackendBackpressure)
}

// read looks key up in the L1, then in the backend, and classifies what it found.
func (m *memoizer[R]) read(ctx context.Context, key string) (R, state, error) {
	var zero R
	c := m.c
	if c.l1 != nil {
		if e, ok := c.l1.Get(key); ok {
			c.stats.l1Hits.Add(1)
			data, err := c.unwrap(m.op, key, e.Value, m.encrypt)
			if err != nil {
				return zero, stateMiss, err
			}
			if isNegative(data) {
				c.tel.count(opMemoize, resultL1Hit)
				return zero, stateNegative, nil
			}
			var v R
			if err := c.decode(m.op, key, data, &v, m.encrypt); err != nil {
				return zero, stateMiss, err
			}
			c.tel.count(opMemoize, resultL1Hit)
			if m.swr > 0 && float64(c.l1.Now()-e.InsertedAt) > float64(m.ttl)*m.swr*e.Jitter {
				return v, stateStale, nil
			}
			return v, stateFresh, nil
		}
	}
	ctx, span := c.tel.start(ctx, opMemoize, key)
	span.set(attrMemoFunction.String(m.opName))
	v, st, err := m.readBackend(ctx, key)
	span.end(lookupResult(st != stateMiss), err)
	return v, st, err
}

// readBackend is the L1 miss path of read.
func (m *memoizer[R]) readBackend(ctx context.Context, key string) (R, state, error) {
	var zero R
	c := m.c
	var gen uint64
	if c.l1 != nil {
		gen = c.l1.Generation(key) // before the read, as in Client.fetch
	}
	sk := c.storageKey(key)
	stored, fresh, found, err := c.backendGet(ctx, sk)
	if err != nil {
		return zero, stateMiss, c.backendFailure(m.op, key, err)
	}
	if !found {
		c.stats.misses.Add(1)
		return zero, stateMiss, nil
	}
	c.stats.l2Hits.Add(1)
	data, err := c.unwrap(m.op, key, stored, m.encrypt)
	if err != nil {
		return zero, stateMiss, err
	}
	st, l1TTL := stateFresh, min(c.backfillTTL, m.ttl)
	var v R
	if isNegative(data) {
		st, l1TTL = stateNegative, min(c.backfillTTL, m.negTTL)
		if m.negTTL == 0 { // a marker written by a memoizer configured otherwise
			l1TTL = c.backfillTTL
		}
	} else {
		if err := c.decode(m.op, key, data, &v, m.encrypt); err != nil {
			return zero, stateMiss, err
		}
		if m.swr > 0 {
			st, l1TTL = m.ageFromBackend(ctx, sk, l1TTL)
		}
		if fresh.Stale && st == stateFresh {
			// The server served it past its fresh lifetime: answer now, refresh behind.
			st = stateStale
		}
	}
	if st != stateStale {
		c.backfill(key, stored, l1TTL, fresh, gen)
	}
	return v, st, nil
}

// ageFromBackend decides the freshness of a value read from the backend from its
// remaining lifetime (backend.TTLInspector): age = TTL - remaining. A fresh value's L1
// lifetime is cut so that it leaves the L1 when it turns stale; the next read then
// finds it stale here. Without the capability, or when the inspection fails, the value
// counts as fresh.
func (m *memoizer[R]) ageFromBackend(ctx context.Context, sk string, l1TTL time.Duration) (state, time.Duration) {
	ti, ok := m.c.backend.(backend.TTLInspector)
	if !ok {
		return stateFresh, l1TTL
	}
	remaining, found, err := ti.TTL(ctx, sk)
	if err != nil || !found || remaining <= 0 {
		return stateFresh, l1TTL
	}
	age := m.ttl - remaining
	threshold := time.Duration(float64(m.ttl) * m.swr * keyJitter(sk))
	if age > threshold {
		return stateStale, 0
	}
	return stateFresh, min(l1TTL, threshold-age)
}

// load runs the miss path through the client's single-flight group.
func (m *memoizer[R]) load(ctx context.Context, key string, run func(context.Context) (R, error)) (R, error) {
	var zero R
	c := m.c
	check := func(ctx context.Context) (any, bool, error) {
		v, st, err := m.read(ctx, key)
		switch {
		case err != nil:
			if !m.encrypt && isOutage(err) {
				return nil, false, nil // a miss: wait on, or load
			}
			return nil, false, err
		case st == stateNegative:
			return nil, false, m.negErr
		case st == stateMiss:
			return nil, false, nil
		}
		return v, true, nil
	}
	load := func(fctx context.Context) (any, error) {
		if !c.memo.hasLocker {
			// Without a lock the group never checks: a flight that ended just
			// before this one started may have stored the value already.
			if v, found, err := check(fctx); err != nil || found {
				return v, err
			}
		}
		var gen uint64
		if c.l1 != nil {
			gen = c.l1.Generation(key)
		}
		c.stats.memoLoads.Add(1)
		fctx, span := c.tel.start(fctx, opMemoizeLoad, key)
		span.set(attrMemoFunction.String(m.opName))
		v, err := m.runBounded(fctx, run)
		if err != nil {
			if m.negOK != nil && m.negOK(err) {
				m.store(fctx, key, negativeValue, m.negTTL, gen)
			}
			span.end(resultNone, err) // loader runs are counted by memoLoads
			return nil, err
		}
		m.store(fctx, key, v, m.ttl, gen)
		span.end(resultNone, nil)
		return v, nil
	}
	res, shared, err := c.memo.group.Do(ctx, c.storageKey(key), check, load)
	if shared {
		c.stats.memoShared.Add(1)
	}
	if err != nil {
		if errors.Is(err, flight.ErrClosed) {
			return zero, c.fail(newError(KindConfig, m.op, key, ErrClosed))
		}
		return zero, err
	}
	if res == nil {
		return zero, nil // a nil interface or pointer result
	}
	v, ok := res.(R)
	if !ok {
		return zero, c.fail(errorf(KindSerialization, m.op, key,
			"another memoized function with the same key returned a %T, not a %T", res, zero))
	}
	return v, nil
}

// runBounded runs the function under the memoizer's load timeout.
func (m *memoizer[R]) runBounded(ctx context.Context, run func(context.Context) (R, error)) (R, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	return run(ctx)
}

// refresh starts the background refresh of a stale key, unless one is running.
func (m *memoizer[R]) refresh(ctx context.Context, key string, run func(context.Context) (R, error)) {
	c := m.c
	sk := c.storageKey(key)
	if !c.memo.startRefresh(sk) {
		return
	}
	// The generation is taken now, before the function runs: a Set or Delete of the key
	// from here on advances it, and the refreshed value then gives way.
	var gen uint64
	if c.l1 != nil {
		gen = c.l1.Generation(key)
	}
	c.stats.memoRefreshes.Add(1)
	c.stats.memoLoads.Add(1)
	rctx, cancel := c.memo.detach(ctx)
	go func() {
		defer c.memo.endRefresh(sk)
		defer cancel()
		rctx, span := c.tel.start(rctx, opMemoizeLoad, key)
		span.set(attrMemoFunction.String(m.opName))
		span.set(attrMemoRefresh.Bool(true))
		v, err := m.runRecovered(rctx, run)
		defer func() { span.end(resultNone, err) }() // after the write below
		if err != nil {
			if m.negOK != nil && m.negOK(err) {
				m.store(rctx, key, negativeValue, m.negTTL, gen)
				return
			}
			if rctx.Err() == nil {
				c.logger.Debug("cachekit: a background refresh of a memoized value failed; the stale value stays",
					"op", m.opName, "key", sk, "error", err)
			}
			return
		}
		m.store(rctx, key, v, m.ttl, gen)
	}()
}

// runRecovered is runBounded for background goroutines: a panic becomes an error
// instead of crashing the process from a goroutine no caller owns.
func (m *memoizer[R]) runRecovered(ctx context.Context, run func(context.Context) (R, error)) (v R, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &flight.PanicError{Value: r, Stack: debug.Stack()}
			m.c.logger.Error("cachekit: a memoized function panicked during a background refresh",
				"op", m.opName, "panic", fmt.Sprint(r))
		}
	}()
	return m.runBounded(ctx, run)
}

// store writes a result (or negativeValue) for ttl, unless the key's L1 generation
// moved past gen meanwhile: a Set or Delete newer than the run wins. Failures are
// reported, never returned.
func (m *memoizer[R]) store(ctx context.Context, key string, value any, ttl time.Duration, gen uint64) {
	c := m.c
	data, err := c.encode(m.op, key, value, m.encrypt)
	if err != nil {
		m.writeFailed(key, err)
		return
	}
	if c.l1 != nil && c.l1.Generation(key) != gen {
		c.stats.memoWritesSkipped.Add(1)
		return
	}
	if err := c.backend.Set(backend.WithOrigin(ctx, c.id), c.storageKey(key), data, ttl); err != nil {
		m.writeFailed(key, c.backendFailure(m.op, key, err))
		return
	}
	// A suspended L1 (the invalidation subscription is down) refuses every value; that is
	// not a write lost to a newer one.
	if c.l1 != nil && !c.l1.Store(key, data, ttl, gen) && !c.l1.WritesSuspended() {
		c.stats.memoWritesSkipped.Add(1)
	}
}

// writeFailed reports a failed write: hook, log, counter.
func (m *memoizer[R]) writeFailed(key string, err error) {
	c := m.c
	c.stats.memoWriteErrors.Add(1)
	sk := c.storageKey(key)
	c.logger.Warn("cachekit: memoize could not write a result to the cache; the caller got it anyway",
		"op", m.opName, "key", sk, "error", err)
	if m.onWrite != nil {
		m.onWrite(sk, err)
	}
}
