package memory

import (
	"context"
	"math"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TTL returns the remaining lifetime of key, rounded down to whole seconds; found is
// false for an absent or expired key. Entries written by Set always expire, so TTL
// never returns backend.NoExpiry.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	if err := b.usable(ctx, "ttl", key); err != nil {
		return 0, false, err
	}
	now := b.nowNano()
	e, ok := b.lookup(key)
	if !ok {
		return 0, false, nil
	}
	return time.Duration(e.expires - now).Truncate(time.Second), true, nil
}

// RefreshTTL gives a live key a remaining lifetime of ttl (rounded up to whole
// seconds), longer or shorter than before, leaving its value alone. It reports false
// for an absent or expired key and fails with an error wrapping backend.ErrInvalidTTL
// for ttl <= 0. Since the value does not change, invalidation subscribers are not
// notified.
func (b *Backend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := b.usable(ctx, "refresh_ttl", key); err != nil {
		return false, err
	}
	ttl, err := normalizeTTL(ttl)
	if err != nil {
		return false, permanent("refresh_ttl", key, err)
	}
	s := b.shardFor(key)
	now := b.nowNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || !e.live(now) {
		return false, nil
	}
	e.expires = expiry(now, ttl)
	s.entries[key] = e
	s.lowerMinExpires(e.expires)
	return true, nil
}

// longestTTL is the longest lifetime an entry can have: the largest whole number of
// seconds a time.Duration holds.
const longestTTL = time.Duration(math.MaxInt64 - math.MaxInt64%int64(time.Second))

// normalizeTTL applies backend.NormalizeTTL, and also guards against its rounding up
// overflowing into a negative duration for ttls within a second of the largest
// Duration: those become longestTTL.
func normalizeTTL(ttl time.Duration) (time.Duration, error) {
	d, err := backend.NormalizeTTL(ttl)
	if err == nil && d <= 0 {
		d = longestTTL
	}
	return d, err
}
