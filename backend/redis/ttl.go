package redis

import (
	"context"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TTL returns key's remaining lifetime in whole seconds (the TTL command), or
// backend.NoExpiry for a key without one. found is false for a missing key.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	if err := b.checkOpen("ttl", key); err != nil {
		return 0, false, err
	}
	octx, cancel := b.reads.bound(ctx)
	defer cancel()
	secs, err := b.client.Do(octx, b.client.B().Ttl().Key(key).Build()).AsInt64()
	if err != nil {
		return 0, false, b.wrapError(ctx, "ttl", key, err)
	}
	switch {
	case secs == -2:
		return 0, false, nil
	case secs < 0:
		return backend.NoExpiry, true, nil
	}
	return time.Duration(secs) * time.Second, true, nil
}

// RefreshTTL sets key's remaining lifetime to ttl (rounded up to whole seconds) with
// EXPIRE, keeping its value. refreshed is false when the key is missing.
func (b *Backend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := b.checkOpen("refresh_ttl", key); err != nil {
		return false, err
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return false, backend.NewError(backend.KindPermanent, backendName, "refresh_ttl", key, err)
	}
	octx, cancel := b.writes.bound(ctx)
	defer cancel()
	n, err := b.client.Do(octx, b.client.B().Expire().Key(key).Seconds(int64(ttl/time.Second)).Build()).AsInt64()
	if err != nil {
		return false, b.wrapError(ctx, "refresh_ttl", key, err)
	}
	return n == 1, nil
}
