package backendtest

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// invalidTTLs are lifetimes every backend must refuse: zero or negative is an error,
// never "forever".
var invalidTTLs = []time.Duration{0, -time.Nanosecond, -time.Second, math.MinInt64}

// checkExpiry: an entry with a one-second ttl is readable right after Set and gone,
// to every method, within the backend's resolution; a longer-lived neighbour stays.
func checkExpiry(tb testing.TB, e env) {
	key := UniqueKey(tb)
	neighbour := key + ":neighbour"
	mustSet(tb, e.b, neighbour, []byte("stays"), defaultTTL)

	const ttl = time.Second
	written := time.Now()
	mustSet(tb, e.b, key, []byte("brief"), ttl)
	wantValue(tb, e.b, key, []byte("brief"))

	wait := e.opts.expiryDeadline(ttl) - time.Since(written)
	Eventually(tb, wait, fmt.Sprintf("the %v entry %q to expire", ttl, key), func() (bool, error) {
		_, found, err := e.b.Get(ctxOf(tb), key)
		return !found, err
	})
	wantMiss(tb, e.b, key)
	if mustDelete(tb, e.b, key) {
		tb.Errorf("Delete(%q) of an expired entry = true, want false", key)
	}
	if ti, ok := e.b.(backend.TTLInspector); ok {
		if d, found, err := ti.TTL(ctxOf(tb), key); err != nil || found {
			tb.Errorf("TTL(%q) of an expired entry = (%v, %v, %v), want found false", key, d, found, err)
		}
	}
	wantValue(tb, e.b, neighbour, []byte("stays"))
}

// checkInvalidTTLRejected: Set with ttl <= 0 fails with ErrInvalidTTL and stores
// nothing.
func checkInvalidTTLRejected(tb testing.TB, e env) {
	base := UniqueKey(tb)
	for i, ttl := range invalidTTLs {
		key := fmt.Sprintf("%s:%d", base, i)
		err := e.b.Set(ctxOf(tb), key, []byte("never stored"), ttl)
		if !errors.Is(err, backend.ErrInvalidTTL) {
			tb.Errorf("Set(%q, ttl %v) error = %v, want one wrapping backend.ErrInvalidTTL", key, ttl, err)
		}
		wantMiss(tb, e.b, key)
	}
}

// checkInvalidTTLKeepsExisting: a Set refused for its ttl leaves the value already
// stored under the key untouched.
func checkInvalidTTLKeepsExisting(tb testing.TB, e env) {
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("kept"), defaultTTL)
	for _, ttl := range invalidTTLs {
		err := e.b.Set(ctxOf(tb), key, []byte("replacement"), ttl)
		if !errors.Is(err, backend.ErrInvalidTTL) {
			tb.Errorf("Set(%q, ttl %v) error = %v, want one wrapping backend.ErrInvalidTTL", key, ttl, err)
		}
		wantValue(tb, e.b, key, []byte("kept"))
	}
}

// checkSubSecondRoundsUp: a positive ttl below a second is stored as one second, so
// the entry is readable right after Set.
func checkSubSecondRoundsUp(tb testing.TB, e env) {
	base := UniqueKey(tb)
	ti, hasTTL := e.b.(backend.TTLInspector)
	for i, ttl := range []time.Duration{time.Nanosecond, time.Millisecond, 500 * time.Millisecond, 999 * time.Millisecond} {
		key := fmt.Sprintf("%s:%d", base, i)
		mustSet(tb, e.b, key, []byte("short"), ttl)
		got, found := mustGet(tb, e.b, key)
		if !found || string(got) != "short" {
			tb.Errorf("Get(%q) right after Set with ttl %v = (%s, %v), want the value: sub-second ttls round up to 1s",
				key, ttl, describe(got), found)
			continue
		}
		if hasTTL {
			d, found, err := ti.TTL(ctxOf(tb), key)
			if err != nil {
				tb.Fatalf("TTL(%q): %v", key, err)
			}
			if found && d > time.Second {
				tb.Errorf("TTL(%q) after Set with ttl %v = %v, want at most 1s", key, ttl, d)
			}
		}
	}
}

// longestRequiredTTL is the longest ttl every backend must accept: 30 days, the limit of
// cachekit.io and the point past which memcached reads an expiry as a Unix time.
const longestRequiredTTL = 30 * 24 * time.Hour

// checkLongTTL: a 30-day entry is stored and lives about 30 days.
func checkLongTTL(tb testing.TB, e env) {
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("month"), longestRequiredTTL)
	wantValue(tb, e.b, key, []byte("month"))
	if ti, ok := e.b.(backend.TTLInspector); ok {
		wantTTL(tb, ti, key, longestRequiredTTL-time.Hour, longestRequiredTTL)
	}
}

// checkHugeTTL: a ttl beyond what the backend can represent is refused with a
// permanent error or stored and readable; it never turns into an entry that is gone at
// once while Set reports success.
func checkHugeTTL(tb testing.TB, e env) {
	base := UniqueKey(tb)
	for i, ttl := range []time.Duration{longestRequiredTTL + time.Second, 10 * 365 * 24 * time.Hour, math.MaxInt64} {
		key := fmt.Sprintf("%s:%d", base, i)
		err := e.b.Set(ctxOf(tb), key, []byte("long"), ttl)
		if err != nil {
			if backend.IsRetryable(err) {
				tb.Errorf("Set(%q, ttl %v) = %v, a retryable error; refusing a ttl is permanent", key, ttl, err)
			}
			wantMiss(tb, e.b, key)
			continue
		}
		got, found := mustGet(tb, e.b, key)
		if !found || string(got) != "long" {
			tb.Errorf("Get(%q) after a successful Set with ttl %v = (%s, %v), want the value", key, ttl, describe(got), found)
		}
	}
}
