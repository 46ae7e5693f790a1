package memcached

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TTL returns the remaining lifetime of key, rounded down to whole seconds, or
// backend.NoExpiry for an entry stored without expiration (by another client). It reads
// the lifetime with the meta command "mg <key> t", which needs memcached 1.6 or newer;
// an older server makes it fail with a permanent error wrapping ErrMetaUnsupported.
//
// memcached reports whole seconds left on its own clock, which lags real time by up to a
// second, so the real remaining time rounded down is one less than that figure; TTL
// returns it, and so reads back the ttl given to Set right after writing it.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	const op = "ttl"
	if err := ValidateKey(key); err != nil {
		return 0, false, permanent(op, key, err)
	}
	if err := b.enter(ctx, op, key); err != nil {
		return 0, false, err
	}
	defer b.leave()
	line, err := b.meta.roundTrip(ctx, b.addrOf(key), "mg "+key+" t\r\n")
	if err != nil {
		return 0, false, opError(ctx, op, key, err)
	}
	ttl, found, err := parseTTLReply(line)
	if err != nil {
		return 0, false, opError(ctx, op, key, err)
	}
	return ttl, found, nil
}

// parseTTLReply reads the reply to "mg <key> t": "EN" for a miss, "HD t<secs>" for a
// hit, secs being -1 for an entry without expiration.
func parseTTLReply(line string) (time.Duration, bool, error) {
	if line == "EN" {
		return 0, false, nil
	}
	status, flags, _ := strings.Cut(line, " ")
	if status != "HD" && status != "OK" {
		return 0, false, replyError(line)
	}
	for _, flag := range strings.Fields(flags) {
		if !strings.HasPrefix(flag, "t") {
			continue
		}
		secs, err := strconv.ParseInt(flag[1:], 10, 64)
		if err != nil || secs < -1 {
			return 0, false, ErrMalformedResponse
		}
		if secs == -1 {
			return backend.NoExpiry, true, nil
		}
		return time.Duration(max(secs-1, 0)) * time.Second, true, nil
	}
	return 0, false, ErrMalformedResponse
}

// RefreshTTL sets the remaining lifetime of an existing key to ttl (with Set's rounding
// and clamping) with memcached's touch command, which leaves the value alone. It reports
// false, with a nil error, when the key is absent.
func (b *Backend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	const op = "refreshttl"
	if err := ValidateKey(key); err != nil {
		return false, permanent(op, key, err)
	}
	ttl, err := normalizeTTL(ttl)
	if err != nil {
		return false, permanent(op, key, err)
	}
	if err := b.enter(ctx, op, key); err != nil {
		return false, err
	}
	defer b.leave()
	err = b.client.Touch(key, expiration(ttl))
	if errors.Is(err, memcache.ErrCacheMiss) {
		return false, nil
	}
	if err != nil {
		return false, opError(ctx, op, key, err)
	}
	return true, nil
}
