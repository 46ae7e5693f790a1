package backend

import (
	"context"
	"time"
)

// Backend is the L2 storage contract. See the package documentation for the rules every
// implementation follows.
type Backend interface {
	// Get returns the value stored under key. found is false, with a nil error, when the
	// key is absent or expired.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)

	// Set stores value under key for ttl, replacing any previous value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error

	// Delete removes key. deleted reports whether a live entry was removed.
	Delete(ctx context.Context, key string) (deleted bool, err error)

	// Exists reports whether a live entry is stored under key.
	Exists(ctx context.Context, key string) (bool, error)

	// Health checks that the backend can serve requests and measures how long that took.
	Health(ctx context.Context) (HealthStatus, error)
}

// HealthStatus is the answer of Backend.Health.
type HealthStatus struct {
	// Healthy is true when the backend answered its health probe successfully.
	Healthy bool
	// Backend names the implementation, for example "redis" or "file".
	Backend string
	// Latency is how long the probe took.
	Latency time.Duration
	// Details carries backend-specific facts (server version, entry count, ...). It never
	// carries credentials.
	Details map[string]string
}

// MaxTTL is the longest lifetime any backend is asked to keep an entry: 100 years, far
// beyond every backend's own limit, and small enough that time arithmetic cannot overflow.
const MaxTTL = 100 * 365 * 24 * time.Hour

// NoExpiry is returned by TTLInspector.TTL for an entry that never expires.
const NoExpiry time.Duration = -1

// TTLInspector is implemented by backends that can read and extend an entry's remaining
// lifetime.
type TTLInspector interface {
	// TTL returns the remaining lifetime of key, rounded down to whole seconds, or
	// NoExpiry. found is false when the key is absent or expired.
	TTL(ctx context.Context, key string) (ttl time.Duration, found bool, err error)

	// RefreshTTL sets the remaining lifetime of an existing key to ttl without rewriting
	// its value. It reports false, with a nil error, when the key is absent.
	RefreshTTL(ctx context.Context, key string, ttl time.Duration) (refreshed bool, err error)
}

// Locker is implemented by backends that offer a distributed lock, used for single-flight
// across processes. The lock for key is stored under LockKey(key).
type Locker interface {
	// AcquireLock tries once, without waiting, to take the lock for key for at most
	// timeout. It returns a non-empty lock id when the lock was taken and acquired ==
	// false when another holder has it.
	AcquireLock(ctx context.Context, key string, timeout time.Duration) (lockID string, acquired bool, err error)

	// ReleaseLock releases the lock for key only if it is still held under lockID; a lock
	// that expired and was taken by someone else is left alone and released is false.
	ReleaseLock(ctx context.Context, key, lockID string) (released bool, err error)
}

// LockKey returns the storage key of the distributed lock guarding key, "{key}:lock", as
// every cachekit SDK names it.
func LockKey(key string) string { return key + ":lock" }

// Invalidation tells a subscriber that the entry under Key was written or deleted by some
// writer, so any copy cached in process memory is out of date.
type Invalidation struct {
	// Key is the full storage key that changed. An empty Key means the backend may have
	// missed changes (a reconnect, an overflowing notification queue, a server-wide flush):
	// the subscriber must treat every key under its prefix as changed.
	Key string
	// Origin identifies the writer when the backend can tell (see WithOrigin); it is empty
	// when the change came from an unknown writer, such as another SDK or redis-cli.
	Origin string
	// Disconnected is set on the flush-all (empty Key) that a subscription sends when it
	// lost its connection: until a flush-all without it arrives, changes are not being
	// delivered, and a copy of anything read in between could go stale unnoticed. The
	// flush-all sent once the subscription delivers again has it unset. It is never set
	// with a non-empty Key; its zero value is the plain flush-all, so a backend that
	// cannot tell leaves it false.
	Disconnected bool
}

// Invalidator is implemented by backends that can tell a process when other writers
// change keys, so the cachekit client can keep its L1 coherent across processes.
type Invalidator interface {
	// SubscribeInvalidations calls fn for every change to a key that starts with prefix
	// until the returned stop function is called. fn runs on a backend goroutine and must
	// not block. Notifications may be delivered more than once and may include changes made
	// by this process; a backend that can identify them sets Invalidation.Origin from the
	// writer's WithOrigin context, or does not report them at all. A backend whose
	// notifications travel over a connection that can break says so with a flush-all that
	// has Invalidation.Disconnected set, and sends a flush-all without it, after the
	// disconnected one, once it delivers again. After stop returns, fn is not called again.
	SubscribeInvalidations(ctx context.Context, prefix string, fn func(Invalidation)) (stop func(), err error)
}

// BatchGetter is implemented by backends that can fetch several keys in one round trip.
type BatchGetter interface {
	// GetMany returns the live entries among keys; absent keys are simply missing from
	// the map.
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

type originKey struct{}

// WithOrigin returns a context that marks writes made with it as coming from origin, an
// opaque id of the writing client. Backends that implement Invalidator copy it into the
// Invalidation they publish so that the writer can ignore its own changes.
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

// OriginFrom returns the origin set by WithOrigin, or "".
func OriginFrom(ctx context.Context) string {
	s, _ := ctx.Value(originKey{}).(string)
	return s
}

// NormalizeTTL applies the rules every backend shares: ttl <= 0 is an error wrapping
// ErrInvalidTTL, and a positive ttl below one second becomes one second. Other values are
// rounded up to a whole second, since no backend stores finer lifetimes, and anything
// above MaxTTL is clamped to MaxTTL so that no arithmetic on it can overflow.
func NormalizeTTL(ttl time.Duration) (time.Duration, error) {
	if ttl <= 0 {
		return 0, ErrInvalidTTL
	}
	if ttl > MaxTTL {
		ttl = MaxTTL
	}
	if r := ttl % time.Second; r != 0 {
		ttl += time.Second - r
	}
	return ttl, nil
}
