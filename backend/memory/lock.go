package memory

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// AcquireLock takes the lock for key if no live lock holds it, for timeout (rounded up
// to whole seconds), and returns a new random lock id. The lock is an ordinary entry
// under backend.LockKey(key) whose value is the id, so Get and Exists see it as they
// would on Redis; it is never evicted, and taking or releasing it notifies no
// invalidation subscriber. A timeout <= 0 fails with an error wrapping
// backend.ErrInvalidTTL.
func (b *Backend) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	if err := b.usable(ctx, "acquire_lock", key); err != nil {
		return "", false, err
	}
	timeout, err := normalizeTTL(timeout)
	if err != nil {
		return "", false, permanent("acquire_lock", key, err)
	}
	lockKey := backend.LockKey(key)
	id := rand.Text()
	s := b.shardFor(lockKey)
	now := b.nowNano()
	s.mu.Lock()
	if e, ok := s.entries[lockKey]; ok && e.live(now) {
		s.mu.Unlock()
		return "", false, nil
	}
	added := s.put(lockKey, entry{value: []byte(id), expires: expiry(now, timeout), lock: true})
	s.mu.Unlock()
	if added && b.count.Add(1) > b.maxEntries {
		b.evict(lockKey)
	}
	return id, true, nil
}

// ReleaseLock removes the lock for key if it is live and still held under lockID,
// comparing and deleting under one shard lock; otherwise it reports false and leaves
// the lock alone.
func (b *Backend) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	if err := b.usable(ctx, "release_lock", key); err != nil {
		return false, err
	}
	lockKey := backend.LockKey(key)
	s := b.shardFor(lockKey)
	now := b.nowNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[lockKey]
	if !ok || !e.live(now) || string(e.value) != lockID {
		return false, nil
	}
	delete(s.entries, lockKey)
	b.count.Add(-1)
	return true, nil
}
