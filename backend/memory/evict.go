package memory

// evictionSample is how many entries of a shard are considered when choosing a live
// entry to evict, as Redis samples for its approximate policies.
const evictionSample = 8

// evict removes entries until the backend holds at most maxEntries, never removing
// keep (the key just written) or a lock. Expired entries go first, from every shard
// that may hold one. Then, visiting shards from a rotating start, it removes from each
// the soonest to expire among up to evictionSample entries. If only keep and locks are
// left, the bound is exceeded rather than breaking a lock.
func (b *Backend) evict(keep string) {
	now := b.nowNano()
	for i := range b.shards {
		if b.count.Load() <= b.maxEntries {
			return
		}
		if s := &b.shards[i]; s.mayHoldExpired(now) {
			b.count.Add(-int64(s.sweep(now)))
		}
	}
	for b.count.Load() > b.maxEntries {
		start := int(b.evictCursor.Add(1))
		evicted := false
		for i := 0; i < shardCount && b.count.Load() > b.maxEntries; i++ {
			if b.evictOne(&b.shards[(start+i)%shardCount], keep) {
				evicted = true
			}
		}
		if !evicted {
			return
		}
	}
}

// evictOne removes the soonest-expiring entry among a sample of s, and reports
// whether it found one to remove.
func (b *Backend) evictOne(s *shard, keep string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	var victim string
	var soonest int64
	found, seen := false, 0
	for k, e := range s.entries {
		if e.lock || k == keep {
			continue
		}
		if !found || e.expires < soonest {
			victim, soonest, found = k, e.expires, true
		}
		if seen++; seen == evictionSample {
			break
		}
	}
	if found {
		delete(s.entries, victim)
		b.count.Add(-1)
	}
	return found
}
