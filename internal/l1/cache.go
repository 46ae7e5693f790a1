package l1

import (
	"hash/maphash"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
)

// Cache is the L1 cache. It is safe for concurrent use. The zero value is not usable;
// call New.
type Cache struct {
	entries  *otter.Cache[string, *Entry]
	clock    Clock
	maxBytes int64
	gens     *generations
	// suspended makes Backfill and Store refuse every value (SuspendWrites).
	suspended atomic.Bool

	version     atomic.Uint64
	bytes       atomic.Int64
	evictions   atomic.Uint64
	expirations atomic.Uint64
}

// New returns an empty cache configured by o.
func New(o Options) (*Cache, error) {
	if o.Capacity < 0 || o.MaxBytes < 0 {
		return nil, errNegative
	}
	c := &Cache{
		clock:    o.Clock,
		maxBytes: o.MaxBytes,
		gens:     &generations{seed: maphash.MakeSeed()},
	}
	capacity := o.capacity()
	oo := &otter.Options[string, *Entry]{
		ExpiryCalculator: otter.ExpiryWritingFunc(entryLifetime),
		OnAtomicDeletion: c.onDeletion,
	}
	if o.MaxBytes > 0 {
		// Every entry weighs at least floor, so MaxBytes of weight holds at most
		// Capacity entries: one otter bound enforces both limits.
		floor := (uint64(o.MaxBytes) + uint64(capacity) - 1) / uint64(capacity)
		oo.MaximumWeight = uint64(o.MaxBytes)
		oo.Weigher = func(key string, e *Entry) uint32 {
			w := max(uint64(size(key, e)), floor)
			return uint32(min(w, math.MaxUint32))
		}
	} else {
		oo.MaximumSize = capacity
	}
	if c.clock == nil {
		c.clock = systemClock{}
	} else {
		oo.Clock = otterClock{c.clock}
	}
	entries, err := otter.New(oo)
	if err != nil {
		return nil, err
	}
	c.entries = entries
	return c, nil
}

// entryLifetime gives each entry the lifetime it was stored with, counted from its
// write. It goes through otter.ExpiryWritingFunc, which tells otter that reads never move
// a deadline, so a hit skips the read-time expiry calculation and its extra clock read.
func entryLifetime(e otter.Entry[string, *Entry]) time.Duration {
	return e.Value.TTL()
}

// onDeletion keeps the byte count and the eviction counters. otter calls it inside the
// atomic operation that removes or replaces the entry.
func (c *Cache) onDeletion(ev otter.DeletionEvent[string, *Entry]) {
	c.bytes.Add(-size(ev.Key, ev.Value))
	switch ev.Cause {
	case otter.CauseOverflow:
		c.evictions.Add(1)
	case otter.CauseExpiration:
		c.expirations.Add(1)
	}
}

// Get returns the live entry stored under key.
func (c *Cache) Get(key string) (*Entry, bool) {
	return c.entries.GetIfPresent(key)
}

// Generation returns key's current generation. Take it before reading the level below
// and pass it to Backfill or Store.
func (c *Cache) Generation(key string) uint64 {
	return c.gens.of(key).Load()
}

// Backfill stores value under key for ttl if key's generation still equals gen and
// writes are not suspended (SuspendWrites), and reports whether it did. A value that
// alone exceeds the byte budget, or a ttl <= 0, is not stored.
func (c *Cache) Backfill(key string, value []byte, ttl time.Duration, gen uint64) bool {
	if c.suspended.Load() {
		return false
	}
	e, ok := c.newEntry(key, value, ttl)
	if !ok {
		return false
	}
	counter := c.gens.of(key)
	stored := false
	c.entries.Compute(key, func(old *Entry, found bool) (*Entry, otter.ComputeOp) {
		if counter.Load() != gen {
			return old, otter.CancelOp
		}
		stored = true
		c.bytes.Add(size(key, e))
		return e, otter.WriteOp
	})
	return stored
}

// Store is the write-through path: when key's generation still equals gen it advances
// the generation (so backfills that started earlier give way) and replaces the entry
// with value for ttl; otherwise another write or an invalidation raced this one and the
// entry is removed instead. It reports whether value was stored. While writes are
// suspended it stores nothing and removes the entry, as when it loses a race.
func (c *Cache) Store(key string, value []byte, ttl time.Duration, gen uint64) bool {
	var e *Entry
	ok := !c.suspended.Load()
	if ok {
		e, ok = c.newEntry(key, value, ttl)
	}
	counter := c.gens.of(key)
	stored := false
	c.entries.Compute(key, func(old *Entry, found bool) (*Entry, otter.ComputeOp) {
		if !ok || !counter.CompareAndSwap(gen, gen+1) {
			if !found {
				return old, otter.CancelOp
			}
			return old, otter.InvalidateOp
		}
		stored = true
		c.bytes.Add(size(key, e))
		return e, otter.WriteOp
	})
	if !stored {
		// The value could not be stored; make sure no reader keeps an older one.
		counter.Add(1)
	}
	return stored
}

// Invalidate advances key's generation and removes its entry, if any.
func (c *Cache) Invalidate(key string) {
	c.gens.of(key).Add(1)
	c.entries.Invalidate(key)
}

// InvalidateAll advances every generation and removes every entry: the answer to a
// backend that lost track of which keys changed (a dropped connection, an overflowing
// notification queue, a FLUSHALL).
func (c *Cache) InvalidateAll() {
	for i := range c.gens.counters {
		c.gens.counters[i].Add(1)
	}
	c.entries.InvalidateAll()
}

// SuspendWrites makes Backfill and Store refuse every value until ResumeWrites; Get,
// Invalidate and InvalidateAll work as before. It reports whether writes were accepted
// until now (false when they were suspended already). Call InvalidateAll after it: a
// Backfill or Store that checked before the suspension then gives way by its generation.
func (c *Cache) SuspendWrites() bool { return c.suspended.CompareAndSwap(false, true) }

// ResumeWrites ends SuspendWrites. Call InvalidateAll before it, so that a Backfill of a
// value read while writes were suspended gives way by its generation.
func (c *Cache) ResumeWrites() { c.suspended.Store(false) }

// WritesSuspended reports whether SuspendWrites is in effect.
func (c *Cache) WritesSuspended() bool { return c.suspended.Load() }

// newEntry builds the entry for value, or reports false when it cannot be stored.
func (c *Cache) newEntry(key string, value []byte, ttl time.Duration) (*Entry, bool) {
	if ttl <= 0 {
		return nil, false
	}
	if c.maxBytes > 0 && int64(len(key)+len(value)) > c.maxBytes {
		return nil, false
	}
	now := c.clock.NowNano()
	return &Entry{
		Value:      value,
		InsertedAt: now,
		ExpiresAt:  now + int64(ttl),
		Jitter:     0.9 + 0.2*rand.Float64(),
		Version:    c.version.Add(1),
	}, true
}

// Now returns the cache clock's current time in nanoseconds, the unit of Entry times.
func (c *Cache) Now() int64 { return c.clock.NowNano() }

// Len returns the approximate number of entries.
func (c *Cache) Len() int { return c.entries.EstimatedSize() }

// Bytes returns len(key)+len(value) summed over the entries.
func (c *Cache) Bytes() int64 { return c.bytes.Load() }

// Evictions returns how many entries were evicted to respect the capacity or the byte
// budget.
func (c *Cache) Evictions() uint64 { return c.evictions.Load() }

// Expirations returns how many entries were removed because their lifetime ended.
func (c *Cache) Expirations() uint64 { return c.expirations.Load() }

// CleanUp runs pending maintenance (evictions, expirations) now. Tests use it to make
// counters settle.
func (c *Cache) CleanUp() { c.entries.CleanUp() }

// Close stops the cache's periodic clean-up goroutine. The cache stays usable.
func (c *Cache) Close() { c.entries.StopAllGoroutines() }
