package memcached

import (
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// MaxKeyLen is the longest key memcached accepts, in bytes.
const MaxKeyLen = 250

// MaxTTL is the longest lifetime the backend asks memcached for: 30 days. memcached reads
// a larger expiration as an absolute Unix time, which would make the entry expire at
// once, so longer ttls are clamped to it.
const MaxTTL = 30 * 24 * time.Hour

// ValidateKey reports whether key can be sent to memcached as it is: 1 to MaxKeyLen bytes,
// each in 0x21-0x7e (printable ASCII without the space). The error wraps
// backend.ErrInvalidKey and names the rule broken, never the key.
//
// Keys are never rewritten (for example hashed) to fit: cachekit-py and cachekit-rs send
// keys to memcached unchanged and refuse what it cannot store, and a Go client that
// stored "long" keys under a hash would not share those entries with them.
func ValidateKey(key string) error {
	if len(key) == 0 {
		return fmt.Errorf("%w: memcached keys are 1-%d bytes and this one is empty", backend.ErrInvalidKey, MaxKeyLen)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: memcached keys are 1-%d bytes and this one has %d", backend.ErrInvalidKey, MaxKeyLen, len(key))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: memcached keys are printable ASCII without spaces and byte %d is 0x%02x", backend.ErrInvalidKey, i, c)
		}
	}
	return nil
}

// normalizeTTL applies backend.NormalizeTTL after clamping ttl to MaxTTL, which also
// keeps the rounding from overflowing for durations near math.MaxInt64.
func normalizeTTL(ttl time.Duration) (time.Duration, error) {
	return backend.NormalizeTTL(min(ttl, MaxTTL))
}

// expiration converts a ttl already normalized by normalizeTTL (a positive whole
// number of seconds) to the relative expiration memcached stores.
//
// memcached keeps time on a clock that ticks once a second and expires an entry when the
// clock reaches its expiration, so an entry written with N seconds may expire up to a
// second before N seconds have passed. Entries get one extra second so that they live
// at least their ttl, and never more than MaxTTL seconds.
func expiration(ttl time.Duration) int32 {
	secs := int64(ttl/time.Second) + 1
	return int32(min(secs, int64(MaxTTL/time.Second)))
}

// lockExpiration converts a normalized lock timeout to seconds without the extra second
// entries get: a lock must be held for at most its timeout, so that a crashed holder
// blocks others no longer than that.
func lockExpiration(ttl time.Duration) int32 {
	return int32(min(int64(ttl/time.Second), int64(MaxTTL/time.Second)))
}
