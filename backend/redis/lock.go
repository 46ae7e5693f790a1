package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// releaseScript deletes the lock only while it still holds the caller's id, so a holder
// whose lock expired cannot release a lock someone else took since.
var releaseScript = rueidis.NewLuaScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// AcquireLock tries once to take the lock for key: SET {key}:lock <random id> NX PX <ms>,
// with timeout rounded up to whole milliseconds. It returns the id on success and
// acquired == false when another holder has the lock. timeout <= 0 fails with
// backend.ErrInvalidTTL.
func (b *Backend) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	if err := b.checkOpen("acquire_lock", key); err != nil {
		return "", false, err
	}
	if timeout <= 0 {
		return "", false, backend.NewError(backend.KindPermanent, backendName, "acquire_lock", key, backend.ErrInvalidTTL)
	}
	ms := int64((timeout + time.Millisecond - 1) / time.Millisecond)
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(raw[:])
	octx, cancel := b.writes.bound(ctx)
	defer cancel()
	cmd := b.client.B().Set().Key(backend.LockKey(key)).Value(id).Nx().PxMilliseconds(ms).Build()
	if err := b.client.Do(octx, cmd).Error(); err != nil {
		if rueidis.IsRedisNil(err) {
			return "", false, nil
		}
		return "", false, b.wrapError(ctx, "acquire_lock", key, err)
	}
	return id, true, nil
}

// ReleaseLock deletes the lock for key if it still holds lockID, atomically, with a Lua
// script. released is false when the lock expired or belongs to someone else.
func (b *Backend) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	if err := b.checkOpen("release_lock", key); err != nil {
		return false, err
	}
	if lockID == "" {
		return false, nil
	}
	octx, cancel := b.writes.bound(ctx)
	defer cancel()
	n, err := releaseScript.Exec(octx, b.client, []string{backend.LockKey(key)}, []string{lockID}).AsInt64()
	if err != nil {
		return false, b.wrapError(ctx, "release_lock", key, err)
	}
	return n == 1, nil
}
