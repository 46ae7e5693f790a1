// Package memory is an in-process cachekit-go backend: the embedded default of the demo
// and of unit tests, and a real L2 for a single process. It implements backend.Backend
// and every optional capability (TTLInspector, Locker, Invalidator, BatchGetter), and
// passes the backendtest conformance suite.
//
// Entries live in sharded maps, each behind its own read-write lock. Values are copied
// on Set and on Get, so no caller can alias stored bytes: a value passed to Set may be
// reused at once, and a value returned by Get belongs to the caller. Lifetimes follow
// the backend contract (ttl <= 0 is refused, sub-second ttls round up to a second) and
// are measured by Options.Now, which tests replace to move time by hand. Expired
// entries are removed when a call meets them and by a janitor goroutine every
// Options.CleanupInterval; Close stops the janitor and waits for it.
//
// MaxEntries bounds the number of entries; see Options for the eviction rule. Locks
// taken with AcquireLock are ordinary entries under backend.LockKey(key), as on Redis,
// but are never evicted.
//
// SubscribeInvalidations fans changes out in process: every Set, and every Delete that
// removed a live entry, is queued to each subscriber whose prefix matches, with the
// writer's backend.WithOrigin origin, and delivered on the subscriber's own goroutine.
// No callback ever runs on a writer's goroutine or under a lock, and a slow subscriber
// loses notifications (and is told so with an Invalidation whose Key is empty) rather
// than slowing writers.
//
// A short example:
//
//	b, err := memory.New(memory.Options{})
//	if err != nil {
//		return err
//	}
//	defer b.Close()
//	err = b.Set(ctx, "app:greeting", []byte("hello"), time.Minute)
//	v, found, err := b.Get(ctx, "app:greeting")
package memory
