package backendtest

import "time"

// Default values the suite uses for zero fields of Options.
const (
	// DefaultLargeValueSize is the size of the large value stored when
	// Options.MaxValueSize is zero: 4 MiB.
	DefaultLargeValueSize = 4 << 20
	// DefaultTTLResolution is the TTLResolution assumed when Options leaves it zero:
	// one second, the granularity of the coarsest backends (memcached, files).
	DefaultTTLResolution = time.Second
	// DefaultInvalidationLatency is the InvalidationLatency assumed when Options leaves
	// it zero.
	DefaultInvalidationLatency = 5 * time.Second
)

// expirySlack is added to every expiry deadline so that a loaded machine (race
// detector, two cores shared by several test binaries) does not fail a correct backend.
const expirySlack = 3 * time.Second

// Options tunes the suite to a backend's documented limits. Every field is a fact about
// the backend, not a way to skip a rule: the zero value describes the most common
// backend and makes the suite check everything the backend.Backend contract requires.
type Options struct {
	// MaxValueSize is the largest value, in bytes, the backend accepts. When it is
	// positive the suite stores a value of exactly MaxValueSize bytes, and checks that a
	// value one byte larger is refused with an error wrapping backend.ErrValueTooLarge
	// and that the refusal loses nothing already stored. When it is zero the backend is
	// taken to have no limit worth testing: the suite stores DefaultLargeValueSize bytes
	// and does not check a refusal. A backend whose limit is too large to exercise
	// cheaply (Redis's 512 MiB) leaves it zero.
	MaxValueSize int

	// TTLResolution is how late, after its ttl has elapsed, the backend may still serve
	// an entry: the granularity of its clock. Zero means DefaultTTLResolution. The suite
	// waits at most ttl + TTLResolution + a few seconds of slack for an entry or a lock
	// to expire. Whatever the resolution, an entry must be readable right after Set,
	// even with the shortest ttl; a backend whose server counts in whole seconds and
	// may expire an entry at the next tick adds a second itself.
	TTLResolution time.Duration

	// SharedStore is true when separate backends returned by newBackend share one store,
	// as clients of one Redis server do, so that a write made through one is read
	// through another. The suite then checks exactly that, and makes the writes an
	// Invalidator subscriber must see through a second backend. When it is false (a
	// fresh in-memory store or temporary directory per call) those writes go through the
	// subscriber's own backend, which must therefore report its own changes.
	SharedStore bool

	// LocksAreKeys is true when the backend's Locker stores the lock for key as an
	// ordinary entry under backend.LockKey(key), as the other cachekit SDKs do on Redis
	// and memcached, so that every SDK sharing the store sees and honours the same lock.
	// The suite then checks that Exists and Get see the lock entry while it is held and
	// not after release. When it is false the lock lives outside the key space and the
	// suite checks that LockKey(key) stays absent. In both cases the lock never makes
	// key itself exist, and key can still be read and written while it is locked.
	LocksAreKeys bool

	// ReportsOrigins is true when the backend's Invalidator fills Invalidation.Origin
	// from the writer's backend.WithOrigin context. The suite then requires every
	// notification of its writes to carry the writer's origin. When it is false the
	// Origin field is not checked.
	ReportsOrigins bool

	// InvalidationLatency bounds how long a change may take to reach an Invalidator
	// subscriber. Zero means DefaultInvalidationLatency.
	InvalidationLatency time.Duration
}

func (o Options) largeValueSize() int {
	if o.MaxValueSize > 0 {
		return o.MaxValueSize
	}
	return DefaultLargeValueSize
}

func (o Options) ttlResolution() time.Duration {
	if o.TTLResolution > 0 {
		return o.TTLResolution
	}
	return DefaultTTLResolution
}

// expiryDeadline is how long the suite waits for something with the given ttl to
// expire, counted from the moment it was written.
func (o Options) expiryDeadline(ttl time.Duration) time.Duration {
	return ttl + o.ttlResolution() + expirySlack
}

func (o Options) invalidationLatency() time.Duration {
	if o.InvalidationLatency > 0 {
		return o.InvalidationLatency
	}
	return DefaultInvalidationLatency
}
