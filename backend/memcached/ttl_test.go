package memcached_test

import (
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// between fails unless lo <= got <= hi. memcached's clock may tick between two calls, so
// a lifetime read back is the one written or a second less.
func between(t *testing.T, what string, got, lo, hi time.Duration) {
	t.Helper()
	if got < lo || got > hi {
		t.Fatalf("%s = %v, want between %v and %v", what, got, lo, hi)
	}
}

func TestTTL(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()

	t.Run("Fresh", func(t *testing.T) {
		key := uniqueKey("ttl")
		if err := b.Set(ctx, key, []byte("v"), 100*time.Second); err != nil {
			t.Fatal(err)
		}
		left, found, err := b.TTL(ctx, key)
		if err != nil || !found {
			t.Fatalf("TTL = (%v, %v, %v)", left, found, err)
		}
		between(t, "TTL after Set(100s)", left, 99*time.Second, 100*time.Second)
	})

	t.Run("Absent", func(t *testing.T) {
		left, found, err := b.TTL(ctx, uniqueKey("absent"))
		if err != nil || found || left != 0 {
			t.Fatalf("TTL(absent) = (%v, %v, %v), want (0, false, nil)", left, found, err)
		}
	})

	t.Run("NoExpiry", func(t *testing.T) {
		// Another client may store an entry without expiration.
		key := uniqueKey("forever")
		raw := memcache.New(srv[0].Addr)
		defer raw.Close()
		if err := raw.Set(&memcache.Item{Key: key, Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
		left, found, err := b.TTL(ctx, key)
		if err != nil || !found || left != backend.NoExpiry {
			t.Fatalf("TTL(no expiration) = (%v, %v, %v), want NoExpiry", left, found, err)
		}
	})

	t.Run("Refresh", func(t *testing.T) {
		key := uniqueKey("refresh")
		if err := b.Set(ctx, key, []byte("keep me"), 10*time.Second); err != nil {
			t.Fatal(err)
		}
		ok, err := b.RefreshTTL(ctx, key, time.Hour)
		if err != nil || !ok {
			t.Fatalf("RefreshTTL = (%v, %v), want true", ok, err)
		}
		left, _, err := b.TTL(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		between(t, "TTL after RefreshTTL(1h)", left, time.Hour-time.Second, time.Hour)
		if v, found, err := b.Get(ctx, key); err != nil || !found || string(v) != "keep me" {
			t.Fatalf("Get after RefreshTTL = (%q, %v, %v), want the value untouched", v, found, err)
		}
		// Shortening works too, and 31 days is clamped, not taken as a Unix time.
		if ok, err := b.RefreshTTL(ctx, key, 5*time.Second); err != nil || !ok {
			t.Fatalf("RefreshTTL(5s) = (%v, %v)", ok, err)
		}
		left, _, _ = b.TTL(ctx, key)
		between(t, "TTL after RefreshTTL(5s)", left, 4*time.Second, 5*time.Second)
		if ok, err := b.RefreshTTL(ctx, key, 31*24*time.Hour); err != nil || !ok {
			t.Fatalf("RefreshTTL(31 days) = (%v, %v)", ok, err)
		}
		left, found, _ := b.TTL(ctx, key)
		if !found {
			t.Fatal("RefreshTTL(31 days) made the entry expire")
		}
		between(t, "TTL after RefreshTTL(31 days)", left, memcached.MaxTTL-2*time.Second, memcached.MaxTTL)
	})

	t.Run("RefreshAbsent", func(t *testing.T) {
		ok, err := b.RefreshTTL(ctx, uniqueKey("absent"), time.Minute)
		if err != nil || ok {
			t.Fatalf("RefreshTTL(absent) = (%v, %v), want (false, nil)", ok, err)
		}
	})
}
