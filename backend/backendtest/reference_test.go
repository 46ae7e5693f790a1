package backendtest

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// fault names one rule a reference backend can be told to break, so that the suite's
// tests can show each check failing against a backend that breaks its rule.
type fault uint8

const (
	faultNone                fault = iota
	faultStoresInvalidTTL          // ttl <= 0 stores "forever"
	faultInvalidTTLOverwrite       // ttl <= 0 replaces the value, then fails
	faultTruncatesSubSecond        // sub-second ttls truncated to 0, so expire at once
	faultNeverExpires              // entries outlive their ttl
	faultMissIsError               // Get of an absent key fails
	faultRetainsValue              // Set keeps the caller's slice
	faultAliasesValue              // Get returns the stored slice
	faultDeleteAbsentTrue          // Delete of an absent key reports true
	faultIgnoresContext            // done contexts are ignored
	faultNoSizeLimit               // oversized values are stored
	faultOversizeLosesValue        // an oversized Set deletes the old value, then fails
	faultUnhealthy                 // Health reports Healthy false
	faultRefreshCreates            // RefreshTTL of an absent key creates it
	faultReleaseIgnoresID          // ReleaseLock releases whatever the id
	faultLockNeverExpires          // locks outlive their timeout
	faultReusesLockID              // every lock gets the same id
	faultStopIgnored               // stop does not stop the callback
	faultIgnoresPrefix             // subscribers hear of every key
	faultDropsOrigin               // notifications carry no origin
	faultDisconnectedKeys          // key notifications claim the subscription is down
	faultGetManyMisses             // GetMany lists misses with nil values
	faultHugeTTLOverflows          // ttls near the largest Duration wrap negative
)

// reference is a small, deliberately plain implementation of the whole contract: a map
// behind one mutex. With faultNone it must pass the suite; with a fault it must fail
// the check of the rule it breaks.
type reference struct {
	fault        fault
	maxValueSize int

	mu       sync.Mutex
	entries  map[string]refEntry
	lockSeq  int
	subs     map[*refSub]struct{}
	lockSeed string
}

type refEntry struct {
	value   []byte
	expires time.Time
}

type refSub struct {
	prefix string
	fn     func(backend.Invalidation)

	mu      sync.Mutex // held while fn runs, so stop can wait for it
	stopped bool
}

const refName = "reference"

// forever is what the broken variants use as "no expiry".
const forever = 100 * 365 * 24 * time.Hour

func newReference(f fault, maxValueSize int) *reference {
	return &reference{
		fault:        f,
		maxValueSize: maxValueSize,
		entries:      map[string]refEntry{},
		subs:         map[*refSub]struct{}{},
		lockSeed:     strconv.FormatInt(time.Now().UnixNano(), 36),
	}
}

func (r *reference) ctxErr(ctx context.Context, op, key string) error {
	if r.fault == faultIgnoresContext || ctx.Err() == nil {
		return nil
	}
	return backend.ContextError(refName, op, key, ctx.Err())
}

// live returns key's entry unless it is absent or expired. r.mu is held.
func (r *reference) live(key string) (refEntry, bool) {
	e, ok := r.entries[key]
	if !ok || (r.fault != faultNeverExpires && !time.Now().Before(e.expires)) {
		return refEntry{}, false
	}
	return e, true
}

func (r *reference) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := r.ctxErr(ctx, "get", key); err != nil {
		return nil, false, err
	}
	r.mu.Lock()
	e, ok := r.live(key)
	r.mu.Unlock()
	switch {
	case !ok && r.fault == faultMissIsError:
		return nil, false, backend.NewError(backend.KindPermanent, refName, "get", key, backend.ErrPermanent)
	case !ok:
		return nil, false, nil
	case r.fault == faultAliasesValue:
		return e.value, true, nil
	}
	return append([]byte{}, e.value...), true, nil
}

func (r *reference) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.ctxErr(ctx, "set", key); err != nil {
		return err
	}
	if r.fault == faultTruncatesSubSecond {
		ttl = ttl.Truncate(time.Second)
	}
	normalized, ttlErr := backend.NormalizeTTL(ttl)
	if ttlErr == nil && r.fault == faultHugeTTLOverflows && ttl > math.MaxInt64-time.Second {
		// What rounding up to a whole second without a clamp would do: wrap negative,
		// storing an entry that is expired at once.
		normalized = ttl + time.Second - ttl%time.Second
	}
	if ttlErr != nil && r.fault != faultTruncatesSubSecond {
		switch r.fault {
		case faultStoresInvalidTTL:
			normalized, ttlErr = forever, nil
		case faultInvalidTTLOverwrite:
			r.store(ctx, key, value, time.Minute)
			return backend.NewError(backend.KindPermanent, refName, "set", key, ttlErr)
		default:
			return backend.NewError(backend.KindPermanent, refName, "set", key, ttlErr)
		}
	}
	if r.maxValueSize > 0 && len(value) > r.maxValueSize && r.fault != faultNoSizeLimit {
		if r.fault == faultOversizeLosesValue {
			r.mu.Lock()
			delete(r.entries, key)
			r.mu.Unlock()
		}
		return backend.NewError(backend.KindPermanent, refName, "set", key, backend.ErrValueTooLarge)
	}
	if r.fault != faultRetainsValue {
		value = append([]byte{}, value...)
	}
	r.store(ctx, key, value, normalized)
	return nil
}

func (r *reference) store(ctx context.Context, key string, value []byte, ttl time.Duration) {
	r.mu.Lock()
	r.entries[key] = refEntry{value: value, expires: time.Now().Add(ttl)}
	r.mu.Unlock()
	r.notify(ctx, key)
}

func (r *reference) Delete(ctx context.Context, key string) (bool, error) {
	if err := r.ctxErr(ctx, "delete", key); err != nil {
		return false, err
	}
	r.mu.Lock()
	_, ok := r.live(key)
	delete(r.entries, key)
	r.mu.Unlock()
	if ok {
		r.notify(ctx, key)
	}
	return ok || r.fault == faultDeleteAbsentTrue, nil
}

func (r *reference) Exists(ctx context.Context, key string) (bool, error) {
	if err := r.ctxErr(ctx, "exists", key); err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.live(key)
	return ok, nil
}

func (r *reference) Health(ctx context.Context) (backend.HealthStatus, error) {
	if err := r.ctxErr(ctx, "health", ""); err != nil {
		return backend.HealthStatus{Backend: refName}, err
	}
	return backend.HealthStatus{Healthy: r.fault != faultUnhealthy, Backend: refName}, nil
}

func (r *reference) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	if err := r.ctxErr(ctx, "ttl", key); err != nil {
		return 0, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.live(key)
	if !ok {
		return 0, false, nil
	}
	return time.Until(e.expires).Truncate(time.Second), true, nil
}

func (r *reference) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := r.ctxErr(ctx, "refresh_ttl", key); err != nil {
		return false, err
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return false, backend.NewError(backend.KindPermanent, refName, "refresh_ttl", key, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.live(key)
	if !ok && r.fault != faultRefreshCreates {
		return false, nil
	}
	e.expires = time.Now().Add(ttl)
	r.entries[key] = e
	return true, nil
}

func (r *reference) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	if err := r.ctxErr(ctx, "acquire_lock", key); err != nil {
		return "", false, err
	}
	timeout, err := backend.NormalizeTTL(timeout)
	if err != nil {
		return "", false, backend.NewError(backend.KindPermanent, refName, "acquire_lock", key, err)
	}
	if r.fault == faultLockNeverExpires {
		timeout = forever
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lk := backend.LockKey(key)
	if _, held := r.live(lk); held {
		return "", false, nil
	}
	if r.fault != faultReusesLockID {
		r.lockSeq++
	}
	id := r.lockSeed + "-" + strconv.Itoa(r.lockSeq)
	r.entries[lk] = refEntry{value: []byte(id), expires: time.Now().Add(timeout)}
	return id, true, nil
}

func (r *reference) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	if err := r.ctxErr(ctx, "release_lock", key); err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lk := backend.LockKey(key)
	e, held := r.live(lk)
	if !held || (string(e.value) != lockID && r.fault != faultReleaseIgnoresID) {
		return false, nil
	}
	delete(r.entries, lk)
	return true, nil
}

func (r *reference) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := r.ctxErr(ctx, "get_many", ""); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if e, ok := r.live(k); ok {
			out[k] = append([]byte{}, e.value...)
		} else if r.fault == faultGetManyMisses {
			out[k] = nil
		}
	}
	return out, nil
}

func (r *reference) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	if err := r.ctxErr(ctx, "subscribe", prefix); err != nil {
		return nil, err
	}
	s := &refSub{prefix: prefix, fn: fn}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.mu.Unlock()
	return func() {
		if r.fault == faultStopIgnored {
			return
		}
		r.mu.Lock()
		delete(r.subs, s)
		r.mu.Unlock()
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
	}, nil
}

// notify calls the subscribers of key on the writer's goroutine, after r.mu is
// released.
func (r *reference) notify(ctx context.Context, key string) {
	r.mu.Lock()
	subs := make([]*refSub, 0, len(r.subs))
	for s := range r.subs {
		subs = append(subs, s)
	}
	r.mu.Unlock()
	inv := backend.Invalidation{Key: key, Origin: backend.OriginFrom(ctx)}
	if r.fault == faultDropsOrigin {
		inv.Origin = ""
	}
	inv.Disconnected = r.fault == faultDisconnectedKeys
	for _, s := range subs {
		if r.fault != faultIgnoresPrefix && !strings.HasPrefix(key, s.prefix) {
			continue
		}
		s.mu.Lock()
		if !s.stopped {
			s.fn(inv)
		}
		s.mu.Unlock()
	}
}

var (
	_ backend.Backend      = (*reference)(nil)
	_ backend.TTLInspector = (*reference)(nil)
	_ backend.Locker       = (*reference)(nil)
	_ backend.BatchGetter  = (*reference)(nil)
	_ backend.Invalidator  = (*reference)(nil)
)
