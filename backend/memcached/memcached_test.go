package memcached_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func TestBasicOperations(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	key := uniqueKey("basic")

	if v, found, err := b.Get(ctx, key); err != nil || found || v != nil {
		t.Fatalf("Get(absent) = (%q, %v, %v), want a miss", v, found, err)
	}
	if ok, err := b.Exists(ctx, key); err != nil || ok {
		t.Fatalf("Exists(absent) = (%v, %v)", ok, err)
	}
	if err := b.Set(ctx, key, []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, key); err != nil || !found || string(v) != "v1" {
		t.Fatalf("Get = (%q, %v, %v), want v1", v, found, err)
	}
	if ok, err := b.Exists(ctx, key); err != nil || !ok {
		t.Fatalf("Exists = (%v, %v), want true", ok, err)
	}
	// The entry is visible to a plain memcached client under the same key, flags 0,
	// as cachekit-py writes and reads it.
	raw := memcache.New(srv[0].Addr)
	defer raw.Close()
	item, err := raw.Get(key)
	if err != nil || string(item.Value) != "v1" || item.Flags != 0 {
		t.Fatalf("raw get = (%+v, %v), want v1 with flags 0", item, err)
	}
	if deleted, err := b.Delete(ctx, key); err != nil || !deleted {
		t.Fatalf("Delete = (%v, %v), want true", deleted, err)
	}
	if deleted, err := b.Delete(ctx, key); err != nil || deleted {
		t.Fatalf("second Delete = (%v, %v), want false", deleted, err)
	}
	if _, found, _ := b.Get(ctx, key); found {
		t.Fatal("Get after Delete found the entry")
	}
}

// TestInvalidKeysRefusedBeforeSending: every operation refuses a key memcached cannot
// hold with a permanent error wrapping backend.ErrInvalidKey, even with no server
// reachable, which shows nothing was sent.
func TestInvalidKeysRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{closedPort(t)}})
	ctx := t.Context()
	keys := map[string]string{
		"empty":     "",
		"too long":  strings.Repeat("k", 251),
		"space":     "user 42",
		"newline":   "k\r\nflush_all",
		"non-ascii": "clé",
	}
	for name, key := range keys {
		t.Run(name, func(t *testing.T) {
			ops := map[string]error{}
			_, _, ops["Get"] = b.Get(ctx, key)
			ops["Set"] = b.Set(ctx, key, []byte("v"), time.Minute)
			_, ops["Delete"] = b.Delete(ctx, key)
			_, ops["Exists"] = b.Exists(ctx, key)
			_, _, ops["TTL"] = b.TTL(ctx, key)
			_, ops["RefreshTTL"] = b.RefreshTTL(ctx, key, time.Minute)
			_, ops["GetMany"] = b.GetMany(ctx, []string{"fine", key})
			for op, err := range ops {
				if !errors.Is(err, backend.ErrInvalidKey) {
					t.Errorf("%s: error = %v, want backend.ErrInvalidKey", op, err)
					continue
				}
				wantKind(t, op, err, backend.KindPermanent)
			}
		})
	}
	// A valid key whose lock key would be too long cannot be locked.
	long := strings.Repeat("k", 246)
	if _, _, err := b.AcquireLock(ctx, long, time.Second); !errors.Is(err, backend.ErrInvalidKey) {
		t.Fatalf("AcquireLock(246-byte key) = %v, want ErrInvalidKey for its 251-byte lock key", err)
	}
}

func TestInvalidTTLRefused(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{closedPort(t)}})
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := b.Set(t.Context(), "k", []byte("v"), ttl); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("Set(ttl=%v) = %v, want ErrInvalidTTL", ttl, err)
		}
		if _, err := b.RefreshTTL(t.Context(), "k", ttl); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("RefreshTTL(ttl=%v) = %v, want ErrInvalidTTL", ttl, err)
		}
		if _, _, err := b.AcquireLock(t.Context(), "k", ttl); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("AcquireLock(timeout=%v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}
}

// TestLongTTLClampedNotAbsolute: memcached reads an expiration above 30 days as a Unix
// time (long past), which would drop the entry at once. A 31-day ttl is clamped to 30
// days and the entry is there right after Set. The raw client shows what happens
// without the clamp.
func TestLongTTLClampedNotAbsolute(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()

	raw := memcache.New(srv[0].Addr)
	defer raw.Close()
	rawKey := uniqueKey("rawlong")
	if err := raw.Set(&memcache.Item{Key: rawKey, Value: []byte("v"), Expiration: 31 * 86400}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Get(rawKey); !errors.Is(err, memcache.ErrCacheMiss) {
		t.Fatalf("premise: a raw 31-day expiration should be read as an absolute time in the past; get = %v", err)
	}

	for _, ttl := range []time.Duration{30 * 24 * time.Hour, 31 * 24 * time.Hour, 10 * 365 * 24 * time.Hour} {
		key := uniqueKey("long")
		if err := b.Set(ctx, key, []byte("v"), ttl); err != nil {
			t.Fatal(err)
		}
		if _, found, err := b.Get(ctx, key); err != nil || !found {
			t.Fatalf("Get right after Set(ttl=%v) = (%v, %v), want the entry", ttl, found, err)
		}
		left, found, err := b.TTL(ctx, key)
		if err != nil || !found || left > memcached.MaxTTL || left < memcached.MaxTTL-5*time.Second {
			t.Fatalf("TTL after Set(ttl=%v) = (%v, %v, %v), want about 30 days", ttl, left, found, err)
		}
	}
}

// TestShortTTLReadableAndExpires: a one-second entry is readable right after Set (the
// extra second covers memcached's clock tick) and gone within a few seconds.
func TestShortTTLReadableAndExpires(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	key := uniqueKey("short")
	if err := b.Set(ctx, key, []byte("v"), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, found, err := b.Get(ctx, key); err != nil || !found {
		t.Fatalf("Get right after a sub-second Set = (%v, %v), want the entry", found, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, found, err := b.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a 1-second entry was still there after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestItemSizeLimit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	t.Run("RefusedBeforeSending", func(t *testing.T) {
		t.Parallel()
		// No server listens: a refusal that is permanent ErrValueTooLarge and not a
		// transient connection error was decided before any I/O.
		b := newBackend(t, memcached.Options{Servers: []string{closedPort(t)}, MaxItemSize: 2048})
		limit := 2048 - memcached.ItemOverhead
		if b.MaxValueSize() != limit {
			t.Fatalf("MaxValueSize = %d, want %d", b.MaxValueSize(), limit)
		}
		err := b.Set(ctx, "k", make([]byte, limit+1), time.Minute)
		if !errors.Is(err, backend.ErrValueTooLarge) {
			t.Fatalf("Set(limit+1 bytes) = %v, want ErrValueTooLarge", err)
		}
		wantKind(t, "Set", err, backend.KindPermanent)
		err = b.Set(ctx, "k", make([]byte, limit), time.Minute)
		if errors.Is(err, backend.ErrValueTooLarge) {
			t.Fatalf("Set(limit bytes) was refused as too large: %v", err)
		}
		wantKind(t, "Set to a closed port", err, backend.KindTransient)
	})

	// The largest accepted value fits in the server with the longest key, and one byte
	// more is refused by the client, keeping what was stored.
	for _, itemSize := range []int{0, 4 << 20} {
		t.Run(fmt.Sprintf("LimitFitsServer/I=%d", itemSize), func(t *testing.T) {
			t.Parallel()
			srv := startServers(t, 1, testserver.MemcachedOptions{MaxItemSize: itemSize})
			b := newBackend(t, memcached.Options{MaxItemSize: itemSize}, srv...)
			key := uniqueKey("limit") + ":" + strings.Repeat("k", memcached.MaxKeyLen)
			key = key[:memcached.MaxKeyLen]
			value := bytes.Repeat([]byte{0xab}, b.MaxValueSize())
			if err := b.Set(ctx, key, value, time.Minute); err != nil {
				t.Fatalf("Set(MaxValueSize=%d bytes, 250-byte key) = %v", len(value), err)
			}
			err := b.Set(ctx, key, append(value, 0), time.Minute)
			if !errors.Is(err, backend.ErrValueTooLarge) {
				t.Fatalf("Set(MaxValueSize+1) = %v, want ErrValueTooLarge", err)
			}
			if got, found, err := b.Get(ctx, key); err != nil || !found || !bytes.Equal(got, value) {
				t.Fatalf("Get after the refusal = (%d bytes, %v, %v), want the stored value", len(got), found, err)
			}
		})
	}

	t.Run("ServerRefusalIsPermanent", func(t *testing.T) {
		t.Parallel()
		srv := startServers(t, 1, testserver.MemcachedOptions{})
		// The client limit is set above the server's -I (1 MiB), so the server refuses,
		// with "SERVER_ERROR object too large for cache".
		b := newBackend(t, memcached.Options{MaxItemSize: 4 << 20}, srv...)
		key := uniqueKey("big")
		err := b.Set(ctx, key, bytes.Repeat([]byte("x"), 2<<20), time.Minute)
		if !errors.Is(err, backend.ErrValueTooLarge) {
			t.Fatalf("Set(2 MiB) on a 1 MiB server = %v, want ErrValueTooLarge", err)
		}
		wantKind(t, "Set", err, backend.KindPermanent)
		var se *memcached.ServerError
		if !errors.As(err, &se) || se.Status != "SERVER_ERROR" || !strings.Contains(se.Message, "too large") {
			t.Fatalf("error %v does not carry the server's reply", err)
		}
		// The backend stays usable.
		if err := b.Set(ctx, key, []byte("small"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, found, err := b.Get(ctx, key); err != nil || !found || string(v) != "small" {
			t.Fatalf("Get after the refusal = (%q, %v, %v)", v, found, err)
		}
	})
}

// TestExistsLeavesTTLAlone: Exists must not extend or shorten the entry's lifetime (a
// touch would).
func TestExistsLeavesTTLAlone(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	key := uniqueKey("exists")
	if err := b.Set(ctx, key, []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if ok, err := b.Exists(ctx, key); err != nil || !ok {
			t.Fatalf("Exists = (%v, %v)", ok, err)
		}
	}
	left, _, err := b.TTL(ctx, key)
	if err != nil || left < time.Hour-5*time.Second || left > time.Hour {
		t.Fatalf("TTL after Exists = (%v, %v), want about 1h", left, err)
	}
}

// TestKeysSpreadOverServers: with three servers, each key is stored on exactly the
// server the client picks, read back by plain single-server clients, and every server
// gets a share.
func TestKeysSpreadOverServers(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 3, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	raws := make([]*memcache.Client, len(srv))
	for i, s := range srv {
		raws[i] = memcache.New(s.Addr)
		defer raws[i].Close()
	}
	const n = 300
	keys := make([]string, n)
	perServer := make([]int, len(srv))
	for i := range keys {
		keys[i] = uniqueKey("spread")
		if err := b.Set(ctx, keys[i], []byte(keys[i]), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range keys {
		holders := 0
		for i, raw := range raws {
			if it, err := raw.Get(key); err == nil && string(it.Value) == key {
				holders++
				perServer[i]++
			}
		}
		if holders != 1 {
			t.Fatalf("key %q is on %d servers, want exactly 1", key, holders)
		}
	}
	for i, c := range perServer {
		if c < n/6 {
			t.Errorf("server %d holds %d of %d keys, want a fair share", i, c, n)
		}
	}

	got, err := b.GetMany(ctx, append([]string{"absent:1", keys[0]}, keys...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("GetMany returned %d entries, want %d", len(got), n)
	}
	for _, key := range keys {
		if string(got[key]) != key {
			t.Fatalf("GetMany[%q] = %q", key, got[key])
		}
	}
	if empty, err := b.GetMany(ctx, nil); err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("GetMany(nil) = (%v, %v), want an empty map", empty, err)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 2, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	st, err := b.Health(t.Context())
	if err != nil || !st.Healthy {
		t.Fatalf("Health = (%+v, %v), want healthy", st, err)
	}
	want, err := testserver.MemcachedVersion(t.Context(), srv[0].Addr)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backend != "memcached" || st.Details["servers"] != "2" || st.Details["servers_up"] != "2" ||
		st.Details["server."+srv[0].Addr+".version"] != want || st.Details["server."+srv[1].Addr+".latency"] == "" {
		t.Fatalf("Health details = %v, want both servers with version %s and latency", st.Details, want)
	}
	if st.Latency <= 0 {
		t.Fatalf("Health latency = %v", st.Latency)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	if err := b.Set(ctx, "closing", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	errs := map[string]error{}
	_, _, errs["Get"] = b.Get(ctx, "closing")
	errs["Set"] = b.Set(ctx, "closing", []byte("v"), time.Minute)
	_, errs["Delete"] = b.Delete(ctx, "closing")
	_, errs["Exists"] = b.Exists(ctx, "closing")
	_, errs["GetMany"] = b.GetMany(ctx, []string{"closing"})
	_, _, errs["TTL"] = b.TTL(ctx, "closing")
	_, errs["RefreshTTL"] = b.RefreshTTL(ctx, "closing", time.Minute)
	_, _, errs["AcquireLock"] = b.AcquireLock(ctx, "closing", time.Second)
	_, errs["ReleaseLock"] = b.ReleaseLock(ctx, "closing", "id")
	_, errs["Health"] = b.Health(ctx)
	for op, err := range errs {
		if !errors.Is(err, backend.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", op, err)
		}
	}
}

func TestContextDoneBeforeCall(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := uniqueKey("cancelled")
	err := b.Set(ctx, key, []byte("v"), time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Set with a cancelled context = %v, want context.Canceled", err)
	}
	if _, found, _ := b.Get(t.Context(), key); found {
		t.Fatal("a Set with a cancelled context stored the entry")
	}
	_, _, err = b.Get(ctx, key)
	if !errors.Is(err, context.Canceled) || backend.IsRetryable(err) {
		t.Fatalf("Get with a cancelled context = %v, want context.Canceled, not retryable", err)
	}
	dctx, dcancel := context.WithDeadline(t.Context(), time.Unix(1, 0))
	defer dcancel()
	_, err = b.Exists(dctx, key)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exists with an expired context = %v, want context.DeadlineExceeded", err)
	}
	wantKind(t, "Exists", err, backend.KindTimeout)
}
