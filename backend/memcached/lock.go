package memcached

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// AcquireLock tries once to take the lock for key: it creates the entry
// backend.LockKey(key) holding a random lock id with memcached's add, which succeeds
// only when the entry is absent, atomically. The lock expires after timeout, rounded up
// to whole seconds; memcached's one-second clock may end it up to a second sooner, never
// later. acquired is false, with a nil error, when someone else holds it. A timeout <= 0
// fails with an error wrapping backend.ErrInvalidTTL.
func (b *Backend) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	const op = "acquirelock"
	lockKey := backend.LockKey(key)
	if err := ValidateKey(lockKey); err != nil {
		return "", false, permanent(op, lockKey, err)
	}
	timeout, err := normalizeTTL(timeout)
	if err != nil {
		return "", false, permanent(op, lockKey, err)
	}
	if err := b.enter(ctx, op, lockKey); err != nil {
		return "", false, err
	}
	defer b.leave()
	id := rand.Text()
	err = b.client.Add(&memcache.Item{Key: lockKey, Value: []byte(id), Expiration: lockExpiration(timeout)})
	if errors.Is(err, memcache.ErrNotStored) {
		return "", false, nil
	}
	if err != nil {
		return "", false, opError(ctx, op, lockKey, err)
	}
	return id, true, nil
}

// ReleaseLock releases the lock for key if it still holds lockID, atomically: it reads
// the lock entry with gets (value and CAS token), and when the value is lockID replaces
// it, by cas with that token, with an already-expired entry, which memcached treats as
// deleted. memcached has no compare-and-delete in its classic protocol; cas fails if
// anyone wrote the entry after the read, so a lock that expired and was taken by another
// holder in between is left alone and released is false.
func (b *Backend) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	const op = "releaselock"
	lockKey := backend.LockKey(key)
	if err := ValidateKey(lockKey); err != nil {
		return false, permanent(op, lockKey, err)
	}
	if err := b.enter(ctx, op, lockKey); err != nil {
		return false, err
	}
	defer b.leave()
	if lockID == "" {
		return false, nil
	}
	item, err := b.client.Get(lockKey)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return false, nil
	}
	if err != nil {
		return false, opError(ctx, op, lockKey, err)
	}
	if string(item.Value) != lockID {
		return false, nil
	}
	// A negative expiration makes memcached store the item as already expired.
	err = b.client.CompareAndSwap(&memcache.Item{Key: lockKey, Expiration: -1, CasID: item.CasID})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, memcache.ErrCASConflict), errors.Is(err, memcache.ErrNotStored), errors.Is(err, memcache.ErrCacheMiss):
		return false, nil
	}
	return false, opError(ctx, op, lockKey, err)
}
