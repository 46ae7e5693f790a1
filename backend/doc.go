// Package backend defines the storage contract that every cachekit-go L2 backend
// implements, the optional capabilities a backend may add, and the error kinds backends
// report.
//
// A Backend stores opaque byte values under string keys with a time to live. It never
// interprets the bytes: serialization, encryption and L1 caching happen above it, in the
// cachekit package. Keys given to a backend are full storage keys (namespace included).
//
// Contract for every implementation:
//
//   - Every method is safe for concurrent use and honours its context: a cancelled or
//     expired context makes the call return promptly with an error that wraps ctx.Err().
//   - Get of an absent or expired key returns found == false and a nil error; a miss is
//     never an error.
//   - Set with ttl <= 0 returns an error wrapping ErrInvalidTTL and stores nothing. A ttl
//     below one second is rounded up to one second.
//   - A value passed to Set is not retained: the caller may reuse the slice afterwards.
//     A value returned by Get belongs to the caller.
//   - Delete of an absent key succeeds and reports deleted == false.
//   - Failures are returned as *Error values (or wrap one) whose Kind says whether
//     retrying can help; see ErrorKind.
//
// Optional capabilities (TTLInspector, Locker, Invalidator, BatchGetter) are separate
// interfaces that callers discover with a type assertion, in the manner of io.WriterTo.
// The conformance suite in package backendtest checks all of the above, and each optional
// capability a backend offers.
//
// An Invalidator's subscription reports changes by key. An Invalidation with an empty Key
// (a flush-all) means changes may have been missed: the subscriber treats every key under
// its prefix as changed. When the subscription itself is down (its connection broke),
// the flush-all has Disconnected set, and nothing is delivered until a later flush-all
// without it says the subscription is back; in between a subscriber should not keep
// copies of what it reads, since their changes would not reach it.
package backend
