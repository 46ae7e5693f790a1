package backendtest

import (
	"errors"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// wantTTL fails the check unless key is live with a remaining lifetime in (lo, hi],
// reported in whole seconds.
func wantTTL(tb testing.TB, ti backend.TTLInspector, key string, lo, hi time.Duration) {
	tb.Helper()
	d, found, err := ti.TTL(ctxOf(tb), key)
	if err != nil {
		tb.Fatalf("TTL(%q): %v", key, err)
	}
	if !found {
		tb.Fatalf("TTL(%q) found = false for a live entry", key)
	}
	if d <= lo || d > hi {
		tb.Fatalf("TTL(%q) = %v, want in (%v, %v]", key, d, lo, hi)
	}
	if d%time.Second != 0 {
		tb.Fatalf("TTL(%q) = %v, want whole seconds (rounded down)", key, d)
	}
}

// checkTTLFreshEntry: a fresh entry reports a positive lifetime no longer than its ttl.
func checkTTLFreshEntry(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("v"), time.Minute)
	wantTTL(tb, ti, key, 0, time.Minute)
}

// checkTTLAbsent: TTL of a key never written is found == false, not an error.
func checkTTLAbsent(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	d, found, err := ti.TTL(ctxOf(tb), key)
	if err != nil || found {
		tb.Fatalf("TTL(absent %q) = (%v, %v, %v), want found false and nil error", key, d, found, err)
	}
}

// checkTTLOverwrite: Set replaces the lifetime along with the value.
func checkTTLOverwrite(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("v1"), 30*time.Second)
	mustSet(tb, e.b, key, []byte("v2"), time.Hour)
	wantTTL(tb, ti, key, 30*time.Second, time.Hour)
	mustSet(tb, e.b, key, []byte("v3"), 10*time.Second)
	wantTTL(tb, ti, key, 0, 10*time.Second)
}

// checkRefreshExtends: RefreshTTL sets the remaining lifetime, longer or shorter,
// without touching the value.
func checkRefreshExtends(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("value"), 30*time.Second)
	for _, c := range []struct {
		ttl    time.Duration
		lo, hi time.Duration
	}{
		{time.Hour, 30 * time.Second, time.Hour},
		{10 * time.Second, 0, 10 * time.Second},
	} {
		ok, err := ti.RefreshTTL(ctxOf(tb), key, c.ttl)
		if err != nil || !ok {
			tb.Fatalf("RefreshTTL(%q, %v) = (%v, %v), want (true, nil)", key, c.ttl, ok, err)
		}
		wantTTL(tb, ti, key, c.lo, c.hi)
		wantValue(tb, e.b, key, []byte("value"))
	}
}

// checkRefreshAbsent: RefreshTTL of a key never written reports false and creates
// nothing.
func checkRefreshAbsent(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	ok, err := ti.RefreshTTL(ctxOf(tb), key, time.Minute)
	if err != nil || ok {
		tb.Fatalf("RefreshTTL(absent %q) = (%v, %v), want (false, nil)", key, ok, err)
	}
	wantMiss(tb, e.b, key)
}

// checkRefreshInvalidTTL: RefreshTTL with ttl <= 0 fails with ErrInvalidTTL and leaves
// the entry, value and lifetime, as it was.
func checkRefreshInvalidTTL(tb testing.TB, e env) {
	ti := e.b.(backend.TTLInspector)
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("kept"), 30*time.Second)
	for _, ttl := range invalidTTLs {
		ok, err := ti.RefreshTTL(ctxOf(tb), key, ttl)
		if !errors.Is(err, backend.ErrInvalidTTL) || ok {
			tb.Errorf("RefreshTTL(%q, %v) = (%v, %v), want (false, error wrapping backend.ErrInvalidTTL)", key, ttl, ok, err)
		}
		wantValue(tb, e.b, key, []byte("kept"))
		wantTTL(tb, ti, key, 0, 30*time.Second)
	}
}
