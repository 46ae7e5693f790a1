// Package reliability is a backend.Backend middleware that keeps a struggling L2 store
// from taking its callers down with it: it retries transient failures, stops calling a
// backend that keeps failing (circuit breaker), and bounds the calls in flight
// (backpressure).
//
// New wraps any backend. Every Get, Set, Delete, Exists, TTL, RefreshTTL and GetMany
// goes through
//
//	backpressure( breaker( retry( call ) ) )
//
// so a call first takes one of a bounded number of slots (or waits briefly in a queue,
// or is shed), is then failed fast if the circuit is open, and only then is tried, up
// to three times, with exponential backoff and jitter between attempts. The breaker
// sees the outcome of the whole retried call. Health, AcquireLock, ReleaseLock and
// SubscribeInvalidations bypass the stack and go straight to the wrapped backend.
//
// Contract:
//
//   - Only availability failures are retried and counted by the breaker: errors for
//     which backend.IsRetryable is true (transient or timeout). A miss, a permanent or
//     authentication error, and a cancelled context are never retried and never trip
//     the breaker. A call whose context is already done is not attempted at all.
//   - Retries never start once the context is done, nor when its deadline would pass
//     during the wait; a wait ends as soon as the context does.
//   - A refused call returns a *backend.Error of kind backend.KindTransient wrapping
//     ErrCircuitOpen or ErrBackpressure: callers that treat transient errors as an
//     outage need nothing more, and errors.Is tells the two guards apart.
//   - The result implements exactly the optional capabilities (TTLInspector,
//     BatchGetter, Locker, Invalidator) of the wrapped backend, so a type assertion on
//     it is truthful. It also implements Backend, whose Stats method reports the
//     breaker's state and the counters, and whose Unwrap returns the wrapped backend.
//   - New starts no goroutine; the breaker changes state on the calls that find its
//     time is up. The wrapper has nothing to close: the wrapped backend is closed by
//     whoever created it.
//
// Options' zero value turns every guard on with the Default* constants; each guard has
// a Disabled switch. Options.OnStateChange reports breaker transitions as they happen.
//
// A short example:
//
//	store, err := redis.New(redis.Options{URL: url})
//	...
//	defer store.Close()
//	l2, err := reliability.New(store, reliability.Options{})
//	...
//	client, err := cachekit.New(cachekit.Options{Backend: l2})
package reliability
