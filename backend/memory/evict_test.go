package memory

import (
	"fmt"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestMaxEntriesBound checks the bound after every serial Set, and that the key just
// written always survives its own eviction.
func TestMaxEntriesBound(t *testing.T) {
	t.Parallel()
	for _, max := range []int{1, 2, 10, 100} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, Options{MaxEntries: max})
			ctx := t.Context()
			for i := range 5 * max {
				key := fmt.Sprint("k", i)
				if err := b.Set(ctx, key, []byte(key), time.Hour); err != nil {
					t.Fatal(err)
				}
				if n := b.Len(); n > max {
					t.Fatalf("Len = %d after Set #%d, want at most %d", n, i, max)
				}
				if ok, _ := b.Exists(ctx, key); !ok {
					t.Fatalf("the key just written, %q, was evicted", key)
				}
			}
			if n := b.Len(); n != max {
				t.Fatalf("Len = %d after %d distinct keys, want exactly %d", n, 5*max, max)
			}
		})
	}
}

// TestEvictionPrefersExpired checks that every expired entry goes before any live one.
func TestEvictionPrefersExpired(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{MaxEntries: 8})
	ctx := t.Context()
	set := func(prefix string, n int, ttl time.Duration) {
		for i := range n {
			if err := b.Set(ctx, fmt.Sprint(prefix, i), []byte("v"), ttl); err != nil {
				t.Fatal(err)
			}
		}
	}
	set("old", 4, time.Second)
	set("live", 4, time.Hour)
	clock.Advance(2 * time.Second)
	set("new", 4, time.Hour)
	for _, prefix := range []string{"live", "new"} {
		for i := range 4 {
			if ok, _ := b.Exists(ctx, fmt.Sprint(prefix, i)); !ok {
				t.Errorf("%s%d was evicted while expired entries were held", prefix, i)
			}
		}
	}
	if n := b.Len(); n != 8 {
		t.Fatalf("Len = %d, want 8", n)
	}
}

// TestEvictionPrefersSoonestExpiry checks the volatile-ttl choice within one shard:
// with every candidate in one shard (so in one sample) the one closest to expiry goes.
func TestEvictionPrefersSoonestExpiry(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{MaxEntries: 3})
	keys := keysInOneShard(b, 4)
	ctx := t.Context()
	ttls := []time.Duration{time.Hour, 10 * time.Second, time.Minute}
	for i, ttl := range ttls {
		if err := b.Set(ctx, keys[i], []byte("v"), ttl); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Set(ctx, keys[3], []byte("v"), time.Second); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false, true, true} {
		if ok, _ := b.Exists(ctx, keys[i]); ok != want {
			t.Errorf("Exists(%q) = %v, want %v (the 10 s entry should be evicted; the key just written never is)", keys[i], ok, want)
		}
	}
}

// TestLocksAreNotEvicted checks that filling the backend never breaks a held lock.
func TestLocksAreNotEvicted(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{MaxEntries: 2})
	ctx := t.Context()
	id, ok, err := b.AcquireLock(ctx, "job", time.Hour)
	if !ok || err != nil {
		t.Fatalf("AcquireLock = (%v, %v)", ok, err)
	}
	for i := range 10 {
		if err := b.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := b.AcquireLock(ctx, "job", time.Hour); ok {
		t.Fatal("the lock was evicted: a second holder acquired it")
	}
	if ok, _ := b.Exists(ctx, backend.LockKey("job")); !ok {
		t.Fatal("the lock entry is gone")
	}
	if n := b.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2 (the lock and the last key)", n)
	}
	if ok, _ := b.ReleaseLock(ctx, "job", id); !ok {
		t.Fatal("the holder could not release its lock")
	}
}

// keysInOneShard returns n distinct keys that hash to the same shard of b.
func keysInOneShard(b *Backend, n int) []string {
	want := b.shardFor("seed")
	keys := []string{"seed"}
	for i := 0; len(keys) < n; i++ {
		if k := fmt.Sprint("candidate", i); b.shardFor(k) == want {
			keys = append(keys, k)
		}
	}
	return keys
}
