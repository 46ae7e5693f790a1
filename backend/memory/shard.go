package memory

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount is the number of independently locked maps. A power of two, so a hash
// picks a shard with a mask; 64 keeps contention low on machines with many cores.
const shardCount = 64

// entry is one stored value. value is never modified after the entry is stored, so a
// reader may copy it after releasing the shard lock.
type entry struct {
	value   []byte
	expires int64 // Unix nanoseconds; the entry is live while now < expires
	lock    bool  // written by AcquireLock; never evicted
}

func (e *entry) live(now int64) bool { return now < e.expires }

// shard is one lock and the entries it guards.
type shard struct {
	mu      sync.RWMutex
	entries map[string]entry
	// minExpires is at most the earliest expiry of any entry in the shard, so a shard
	// with minExpires > now holds nothing expired and sweeps can skip it without
	// locking. Inserts lower it; a full sweep sets it exactly.
	minExpires atomic.Int64
	_          [24]byte // keep neighbouring shards' locks on separate cache lines
}

// put stores e under key and reports whether the key was new. s.mu is held.
func (s *shard) put(key string, e entry) (added bool) {
	_, existed := s.entries[key]
	s.entries[key] = e
	s.lowerMinExpires(e.expires)
	return !existed
}

// lowerMinExpires records that an entry expiring at t is in the shard. s.mu is held.
func (s *shard) lowerMinExpires(t int64) {
	if t < s.minExpires.Load() {
		s.minExpires.Store(t)
	}
}

// mayHoldExpired reports whether a sweep at now could find anything.
func (s *shard) mayHoldExpired(now int64) bool { return s.minExpires.Load() <= now }

// sweep removes every expired entry and returns how many it removed.
func (s *shard) sweep(now int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	removed := 0
	earliest := int64(math.MaxInt64)
	for k, e := range s.entries {
		if !e.live(now) {
			delete(s.entries, k)
			removed++
		} else if e.expires < earliest {
			earliest = e.expires
		}
	}
	s.minExpires.Store(earliest)
	return removed
}

// expiry returns the expiry instant of an entry written at now with ttl, saturating
// instead of overflowing for lifetimes of centuries.
func expiry(now int64, ttl time.Duration) int64 {
	if int64(ttl) > math.MaxInt64-now {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

// clone copies v; an empty v gives an empty, non-nil slice without allocating.
func clone(v []byte) []byte {
	out := make([]byte, len(v))
	copy(out, v)
	return out
}
