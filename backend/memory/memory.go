package memory

import (
	"context"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Backend is an in-process backend.Backend with every optional capability:
// backend.TTLInspector, backend.Locker, backend.Invalidator and backend.BatchGetter.
// Create it with New; it is safe for concurrent use; call Close when done with it.
type Backend struct {
	shards       [shardCount]shard
	seed         maphash.Seed
	now          func() time.Time
	maxEntries   int64
	maxValueSize int

	count       atomic.Int64  // entries held, expired ones not yet removed included
	evictCursor atomic.Uint32 // shard where the next eviction starts

	subsMu    sync.Mutex                    // serialises changes to subs
	subs      atomic.Pointer[[]*subscriber] // read without a lock on every write
	subBuffer int

	closed      atomic.Bool
	closeOnce   sync.Once
	janitorStop chan struct{}
	janitorDone chan struct{}
}

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.TTLInspector = (*Backend)(nil)
	_ backend.Locker       = (*Backend)(nil)
	_ backend.Invalidator  = (*Backend)(nil)
	_ backend.BatchGetter  = (*Backend)(nil)
)

// New returns an empty Backend configured by opts, and starts its janitor unless
// opts.CleanupInterval is negative. It fails with an error wrapping ErrInvalidOptions
// when a field is out of range.
func New(opts Options) (*Backend, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Backend{
		seed:         maphash.MakeSeed(),
		now:          opts.Now,
		maxEntries:   int64(opts.MaxEntries),
		maxValueSize: opts.MaxValueSize,
		subBuffer:    opts.InvalidationBuffer,
	}
	for i := range b.shards {
		b.shards[i].entries = make(map[string]entry)
		b.shards[i].minExpires.Store(math.MaxInt64)
	}
	if opts.CleanupInterval > 0 {
		b.janitorStop = make(chan struct{})
		b.janitorDone = make(chan struct{})
		go b.janitor(opts.CleanupInterval)
	}
	return b, nil
}

// Close stops the janitor and every invalidation subscription, waiting for them to
// finish (and so for any callback running), then makes every later call fail with an
// error wrapping backend.ErrClosed. Closing twice is harmless.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		if b.janitorStop != nil {
			close(b.janitorStop)
			<-b.janitorDone
		}
		b.stopAllSubscribers()
	})
	return nil
}

// Len returns the number of entries held, locks included. Expired entries count until
// a call meets them or the janitor removes them.
func (b *Backend) Len() int { return int(b.count.Load()) }

func (b *Backend) shardFor(key string) *shard {
	return &b.shards[maphash.String(b.seed, key)&(shardCount-1)]
}

func (b *Backend) nowNano() int64 { return b.now().UnixNano() }

// lookup returns key's live entry. An expired entry it meets is removed.
func (b *Backend) lookup(key string) (entry, bool) {
	s := b.shardFor(key)
	now := b.nowNano()
	s.mu.RLock()
	e, ok := s.entries[key]
	s.mu.RUnlock()
	if !ok {
		return entry{}, false
	}
	if !e.live(now) {
		b.removeExpired(s, key, now)
		return entry{}, false
	}
	return e, true
}

// removeExpired deletes key from s if it is still expired at now.
func (b *Backend) removeExpired(s *shard, key string, now int64) {
	s.mu.Lock()
	if e, ok := s.entries[key]; ok && !e.live(now) {
		delete(s.entries, key)
		b.count.Add(-1)
	}
	s.mu.Unlock()
}

// store writes e under key, then evicts if that made the backend too full.
func (b *Backend) store(key string, e entry) {
	s := b.shardFor(key)
	s.mu.Lock()
	added := s.put(key, e)
	s.mu.Unlock()
	if added && b.count.Add(1) > b.maxEntries {
		b.evict(key)
	}
}

// Get returns a copy of the value stored under key; found is false for an absent or
// expired key.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := b.usable(ctx, "get", key); err != nil {
		return nil, false, err
	}
	e, ok := b.lookup(key)
	if !ok {
		return nil, false, nil
	}
	return clone(e.value), true, nil
}

// Set stores a copy of value under key for ttl (rounded up to whole seconds) and
// notifies invalidation subscribers. It fails with an error wrapping
// backend.ErrInvalidTTL for ttl <= 0 and backend.ErrValueTooLarge for a value over
// Options.MaxValueSize, storing nothing in either case.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := b.usable(ctx, "set", key); err != nil {
		return err
	}
	ttl, err := normalizeTTL(ttl)
	if err != nil {
		return permanent("set", key, err)
	}
	if len(value) > b.maxValueSize {
		return permanent("set", key, valueTooLarge(len(value), b.maxValueSize))
	}
	b.store(key, entry{value: clone(value), expires: expiry(b.nowNano(), ttl)})
	b.publish(ctx, key)
	return nil
}

// Delete removes key and reports whether a live entry was removed; only then are
// invalidation subscribers notified.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	if err := b.usable(ctx, "delete", key); err != nil {
		return false, err
	}
	s := b.shardFor(key)
	now := b.nowNano()
	s.mu.Lock()
	e, ok := s.entries[key]
	if ok {
		delete(s.entries, key)
		b.count.Add(-1)
	}
	s.mu.Unlock()
	deleted := ok && e.live(now)
	if deleted {
		b.publish(ctx, key)
	}
	return deleted, nil
}

// Exists reports whether a live entry is stored under key.
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	if err := b.usable(ctx, "exists", key); err != nil {
		return false, err
	}
	_, ok := b.lookup(key)
	return ok, nil
}

// Health reports the backend healthy until Close, with the entry count in Details.
func (b *Backend) Health(ctx context.Context) (backend.HealthStatus, error) {
	start := time.Now()
	if err := b.usable(ctx, "health", ""); err != nil {
		return backend.HealthStatus{Backend: name}, err
	}
	subs := 0
	if p := b.subs.Load(); p != nil {
		subs = len(*p)
	}
	return backend.HealthStatus{
		Healthy: true,
		Backend: name,
		Details: map[string]string{
			"entries":     strconv.FormatInt(b.count.Load(), 10),
			"max_entries": strconv.FormatInt(b.maxEntries, 10),
			"subscribers": strconv.Itoa(subs),
		},
		Latency: time.Since(start),
	}, nil
}
