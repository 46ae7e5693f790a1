package backendtest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// defaultTTL is the ttl of entries a check does not mean to expire.
const defaultTTL = 10 * time.Minute

// The helpers below make one call that must succeed and stop the check when it does
// not. They run on the check's goroutine.

func mustSet(tb testing.TB, b backend.Backend, key string, value []byte, ttl time.Duration) {
	tb.Helper()
	if err := b.Set(ctxOf(tb), key, value, ttl); err != nil {
		tb.Fatalf("Set(%q, %d bytes, %v): %v", key, len(value), ttl, err)
	}
}

func mustGet(tb testing.TB, b backend.Backend, key string) ([]byte, bool) {
	tb.Helper()
	v, found, err := b.Get(ctxOf(tb), key)
	if err != nil {
		tb.Fatalf("Get(%q): %v", key, err)
	}
	return v, found
}

func mustDelete(tb testing.TB, b backend.Backend, key string) bool {
	tb.Helper()
	deleted, err := b.Delete(ctxOf(tb), key)
	if err != nil {
		tb.Fatalf("Delete(%q): %v", key, err)
	}
	return deleted
}

func mustExist(tb testing.TB, b backend.Backend, key string) bool {
	tb.Helper()
	ok, err := b.Exists(ctxOf(tb), key)
	if err != nil {
		tb.Fatalf("Exists(%q): %v", key, err)
	}
	return ok
}

// wantValue fails the check unless key holds want.
func wantValue(tb testing.TB, b backend.Backend, key string, want []byte) {
	tb.Helper()
	got, found := mustGet(tb, b, key)
	if !found {
		tb.Fatalf("Get(%q) = miss, want %s", key, describe(want))
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("Get(%q) = %s, want %s", key, describe(got), describe(want))
	}
}

// wantMiss fails the check unless key is absent, to Get and to Exists.
func wantMiss(tb testing.TB, b backend.Backend, key string) {
	tb.Helper()
	if got, found := mustGet(tb, b, key); found {
		tb.Fatalf("Get(%q) = hit %s, want a miss", key, describe(got))
	}
	if mustExist(tb, b, key) {
		tb.Fatalf("Exists(%q) = true, want false", key)
	}
}

// describe summarises a value for a failure message: short values in full, long ones
// by length and the first bytes.
func describe(v []byte) string {
	const show = 32
	if len(v) <= show {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%d bytes starting %q", len(v), v[:show])
}
