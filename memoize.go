package cachekit

import "context"

// Memoize wraps fn, a function of no arguments besides its context, so that its result
// is cached under the interop/v1 key "{namespace}:{op}:{hash of no arguments}" of the
// client's namespace. Memoize1, Memoize2 and Memoize3 wrap functions of one to three
// arguments; the arguments become the key, as cachekit's Python, Rust and TypeScript
// SDKs compute it, so every SDK sharing the backend and namespace finds the same
// entry. The stored value is the plain MessagePack of the result (or its ciphertext
// when encrypting), the interop value format.
//
// Memoize validates everything when it is called and returns an error rather than a
// function that would fail later: the client must have a namespace that is a valid
// interop/v1 segment (^[a-z0-9][a-z0-9._-]{0,63}$, not "ns" or "nsapi") unless
// MemoKeyFunc replaces the key, op must be one as well, fn must not be nil, and the
// options must hold valid values. Errors are *Error of KindConfig.
//
// A call of the returned function:
//
//   - reads the L1, then the backend. A fresh value is returned. A stale one (older
//     than TTL x ratio x a jitter in [0.9, 1.1) drawn once per entry; see MemoSWR) is
//     returned at once and refreshed in the background, once per key at a time; a
//     refresh that finishes after a newer Set or Delete of the key (in this process, or
//     in another one when the backend reports invalidations) does not overwrite it.
//   - on a miss, runs fn through the client's single-flight: one run per key at a time
//     in the process and, when the backend implements backend.Locker, across every
//     process sharing it (the lock "{key}:lock" lives 5 s; the others wait for the
//     value). The result is written with the memoizer's TTL and returned.
//   - returns fn's error as is, and caches it only when MemoCacheError or
//     MemoCacheErrorFunc asks for it.
//   - when reading the cache fails with an outage-class error (KindBackendTransient,
//     KindBackendTimeout, KindBackendCircuitOpen, KindBackendBackpressure), runs fn
//     uncached and returns its result (fail open). An encrypting memoizer (MemoSecure,
//     or a client with Options.Encrypt) returns the error instead (fail closed). Other
//     errors (a value that does not decode or decrypt, a permanent backend error) are
//     returned. Coordination through the backend lock always fails open.
//   - never returns a failure to write the result: it goes to the MemoOnWriteError
//     hook, a slog warning and Stats().Memo.WriteErrors.
//
// fn runs on a context that keeps the values of the context of the call that started
// it but not its cancellation, bounded by MemoLoadTimeout, since other callers (and the
// cache) wait for its result; a caller whose context ends gets its context's error
// without stopping the run. Client.Close cancels runs in progress and waits for them
// and for background refreshes. A value returned to several callers is the same R:
// treat values holding references (slices, maps, pointers) as read-only.
//
// Age and freshness: a value the memoizer wrote (or refreshed) in this process is aged
// from its write, by the L1 entry's insertion time. A value read from the backend is
// aged from its remaining lifetime when the backend implements backend.TTLInspector
// (age = TTL - remaining, at the cost of one more round trip per backend hit; the L1
// then keeps the value at most until it turns stale);
// otherwise it counts as fresh, enters the L1 for the client's backfill lifetime, and
// is reloaded when it expires. With the L1 disabled the "newer write wins" check is
// off and a refresh always writes.
func Memoize[R any](c *Client, op string, fn func(ctx context.Context) (R, error), opts ...MemoOption) (func(ctx context.Context) (R, error), error) {
	m, err := newMemoizer[R](c, op, fn == nil, opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (R, error) {
		return m.call(ctx, nil, func() func(context.Context) (R, error) { return fn })
	}, nil
}

// Memoize1 is Memoize for a function of one argument, which must be a value of the
// interop/v1 data model (see package cachekey: integers, finite floats, strings, bytes,
// bools, nil, slices, string-keyed maps, cachekey.Set, UUIDs, times) unless
// MemoKeyFunc builds the key. An argument outside it fails the call with
// KindInvalidKey, without running fn.
//
// The key is a BLAKE2b-256 of the arguments, which costs about as much as the L1 hit it
// leads to, so each memoized function remembers the keys of up to 256 recent argument
// lists made of scalars (strings up to 128 bytes, numbers, bools, UUIDs, times), and
// holds those arguments in memory while it does; a repeated call skips the hash.
func Memoize1[A, R any](c *Client, op string, fn func(ctx context.Context, a A) (R, error), opts ...MemoOption) (func(ctx context.Context, a A) (R, error), error) {
	m, err := newMemoizer[R](c, op, fn == nil, opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, a A) (R, error) {
		return m.call(ctx, []any{a}, func() func(context.Context) (R, error) {
			return func(ctx context.Context) (R, error) { return fn(ctx, a) }
		})
	}, nil
}

// Memoize2 is Memoize for a function of two arguments; see Memoize1.
func Memoize2[A, B, R any](c *Client, op string, fn func(ctx context.Context, a A, b B) (R, error), opts ...MemoOption) (func(ctx context.Context, a A, b B) (R, error), error) {
	m, err := newMemoizer[R](c, op, fn == nil, opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, a A, b B) (R, error) {
		return m.call(ctx, []any{a, b}, func() func(context.Context) (R, error) {
			return func(ctx context.Context) (R, error) { return fn(ctx, a, b) }
		})
	}, nil
}

// Memoize3 is Memoize for a function of three arguments; see Memoize1.
func Memoize3[A, B, C, R any](c *Client, op string, fn func(ctx context.Context, a A, b B, c C) (R, error), opts ...MemoOption) (func(ctx context.Context, a A, b B, c C) (R, error), error) {
	m, err := newMemoizer[R](c, op, fn == nil, opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, a A, b B, cc C) (R, error) {
		return m.call(ctx, []any{a, b, cc}, func() func(context.Context) (R, error) {
			return func(ctx context.Context) (R, error) { return fn(ctx, a, b, cc) }
		})
	}, nil
}
