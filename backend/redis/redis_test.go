package redis

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

func TestCommands(t *testing.T) {
	srv, b := standalone(t, Options{})
	ctx := testCtx(t)

	t.Run("set uses EX seconds rounded up", func(t *testing.T) {
		if err := b.Set(ctx, "c:ex", []byte("v"), 1500*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		// Checked with the server, independently of this package's TTL method.
		ttl, err := srv.Do("TTL", "c:ex")
		if err != nil || ttl != int64(2) {
			t.Fatalf("server TTL = %v, %v; want 2", ttl, err)
		}
	})
	t.Run("sub-second ttl becomes one second", func(t *testing.T) {
		if err := b.Set(ctx, "c:sub", []byte("v"), time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if ttl, _ := srv.Do("TTL", "c:sub"); ttl != int64(1) {
			t.Fatalf("server TTL = %v; want 1", ttl)
		}
	})
	t.Run("invalid ttl stores nothing", func(t *testing.T) {
		for _, ttl := range []time.Duration{0, -time.Second} {
			err := b.Set(ctx, "c:bad", []byte("v"), ttl)
			if !errors.Is(err, backend.ErrInvalidTTL) || !errors.Is(err, backend.ErrPermanent) {
				t.Fatalf("Set ttl %v: %v; want ErrInvalidTTL, permanent", ttl, err)
			}
		}
		if v, _ := srv.Do("EXISTS", "c:bad"); v != int64(0) {
			t.Fatal("an invalid Set stored the key")
		}
	})
	t.Run("binary round trip", func(t *testing.T) {
		value := []byte{0, 1, 2, 0xff, '\r', '\n', 0}
		if err := b.Set(ctx, "c:bin", value, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, found, err := b.Get(ctx, "c:bin")
		if err != nil || !found || !bytes.Equal(got, value) {
			t.Fatalf("Get = %x, %v, %v; want %x", got, found, err, value)
		}
		if raw, _ := srv.Do("GET", "c:bin"); raw != string(value) {
			t.Fatalf("server holds %q; want %q", raw, value)
		}
	})
	t.Run("empty value is found", func(t *testing.T) {
		if err := b.Set(ctx, "c:empty", nil, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, found, err := b.Get(ctx, "c:empty")
		if err != nil || !found || got == nil || len(got) != 0 {
			t.Fatalf("Get = %v, %v, %v; want empty, found", got, found, err)
		}
	})
	t.Run("miss", func(t *testing.T) {
		got, found, err := b.Get(ctx, "c:absent")
		if err != nil || found || got != nil {
			t.Fatalf("Get = %v, %v, %v; want miss", got, found, err)
		}
	})
	t.Run("delete and exists", func(t *testing.T) {
		if _, err := srv.Do("SET", "c:del", "x"); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			name        string
			run         func() (bool, error)
			want        bool
			serverCount int64
		}{
			{"exists before", func() (bool, error) { return b.Exists(ctx, "c:del") }, true, 1},
			{"delete present", func() (bool, error) { return b.Delete(ctx, "c:del") }, true, 0},
			{"delete absent", func() (bool, error) { return b.Delete(ctx, "c:del") }, false, 0},
			{"exists after", func() (bool, error) { return b.Exists(ctx, "c:del") }, false, 0},
		} {
			got, err := step.run()
			if err != nil || got != step.want {
				t.Fatalf("%s = %v, %v; want %v", step.name, got, err, step.want)
			}
			if n, _ := srv.Do("EXISTS", "c:del"); n != step.serverCount {
				t.Fatalf("%s: server EXISTS = %v; want %d", step.name, n, step.serverCount)
			}
		}
	})
	t.Run("wrong type is permanent", func(t *testing.T) {
		if _, err := srv.Do("RPUSH", "c:list", "a"); err != nil {
			t.Fatal(err)
		}
		_, _, err := b.Get(ctx, "c:list")
		if !errors.Is(err, backend.ErrPermanent) || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("Get of a list: %v; want permanent WRONGTYPE", err)
		}
	})
}

func TestTTLInspector(t *testing.T) {
	srv, b := standalone(t, Options{})
	ctx := testCtx(t)
	if _, err := srv.Do("SET", "t:forever", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("SET", "t:ten", "v", "EX", "10"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       string
		wantFound bool
		check     func(time.Duration) bool
	}{
		{"t:forever", true, func(d time.Duration) bool { return d == backend.NoExpiry }},
		{"t:ten", true, func(d time.Duration) bool { return d > 0 && d <= 10*time.Second && d%time.Second == 0 }},
		{"t:absent", false, func(d time.Duration) bool { return d == 0 }},
	} {
		t.Run(tc.key, func(t *testing.T) {
			d, found, err := b.TTL(ctx, tc.key)
			if err != nil || found != tc.wantFound || !tc.check(d) {
				t.Fatalf("TTL = %v, %v, %v", d, found, err)
			}
		})
	}
	t.Run("refresh", func(t *testing.T) {
		ok, err := b.RefreshTTL(ctx, "t:forever", 90*time.Second)
		if err != nil || !ok {
			t.Fatalf("RefreshTTL = %v, %v", ok, err)
		}
		if ttl, _ := srv.Do("TTL", "t:forever"); ttl != int64(90) {
			t.Fatalf("server TTL after refresh = %v; want 90", ttl)
		}
		if v, _ := srv.Do("GET", "t:forever"); v != "v" {
			t.Fatalf("refresh changed the value to %v", v)
		}
		ok, err = b.RefreshTTL(ctx, "t:absent", time.Minute)
		if err != nil || ok {
			t.Fatalf("RefreshTTL of absent = %v, %v; want false", ok, err)
		}
		if _, err := b.RefreshTTL(ctx, "t:forever", 0); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Fatalf("RefreshTTL(0) = %v; want ErrInvalidTTL", err)
		}
	})
}

func TestGetMany(t *testing.T) {
	srv, b := standalone(t, Options{})
	ctx := testCtx(t)
	for _, k := range []string{"m:a", "m:b"} {
		if _, err := srv.Do("SET", k, "val-"+k); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.GetMany(ctx, []string{"m:a", "m:missing", "m:b", "m:a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got["m:a"]) != "val-m:a" || string(got["m:b"]) != "val-m:b" {
		t.Fatalf("GetMany = %q", got)
	}
	if got, err := b.GetMany(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("GetMany(nil) = %v, %v", got, err)
	}
}

func TestLocker(t *testing.T) {
	srv, b := standalone(t, Options{})
	ctx := testCtx(t)

	id, ok, err := b.AcquireLock(ctx, "l:res", 5*time.Second)
	if err != nil || !ok || id == "" {
		t.Fatalf("AcquireLock = %q, %v, %v", id, ok, err)
	}
	// PROTOCOL.md §6: the lock is {key}:lock holding the id, with a PX expiry.
	if v, _ := srv.Do("GET", "l:res:lock"); v != id {
		t.Fatalf("server lock value = %v; want %q", v, id)
	}
	if pttl, _ := srv.Do("PTTL", "l:res:lock"); pttl.(int64) <= 0 || pttl.(int64) > 5000 {
		t.Fatalf("lock PTTL = %v; want (0, 5000]", pttl)
	}
	if _, ok, err := b.AcquireLock(ctx, "l:res", 5*time.Second); err != nil || ok {
		t.Fatalf("second AcquireLock = %v, %v; want not acquired", ok, err)
	}
	if rel, err := b.ReleaseLock(ctx, "l:res", "someone-else"); err != nil || rel {
		t.Fatalf("ReleaseLock with a foreign id = %v, %v; want false", rel, err)
	}
	if rel, err := b.ReleaseLock(ctx, "l:res", id); err != nil || !rel {
		t.Fatalf("ReleaseLock = %v, %v; want true", rel, err)
	}

	t.Run("expired lock taken by another is not released", func(t *testing.T) {
		old, ok, err := b.AcquireLock(ctx, "l:exp", time.Millisecond)
		if err != nil || !ok {
			t.Fatalf("AcquireLock = %v, %v", ok, err)
		}
		// Simulate expiry plus a new holder, without sleeping.
		if _, err := srv.Do("SET", "l:exp:lock", "new-holder"); err != nil {
			t.Fatal(err)
		}
		if rel, err := b.ReleaseLock(ctx, "l:exp", old); err != nil || rel {
			t.Fatalf("ReleaseLock of a taken-over lock = %v, %v; want false", rel, err)
		}
		if v, _ := srv.Do("GET", "l:exp:lock"); v != "new-holder" {
			t.Fatalf("new holder's lock is %v", v)
		}
	})
	t.Run("invalid timeout", func(t *testing.T) {
		if _, _, err := b.AcquireLock(ctx, "l:bad", 0); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Fatalf("AcquireLock(0) = %v", err)
		}
	})
	t.Run("ids are unique", func(t *testing.T) {
		seen := map[string]bool{}
		for i := range 50 {
			id, ok, err := b.AcquireLock(ctx, "l:u"+string(rune('a'+i%26))+string(rune('a'+i/26)), time.Minute)
			if err != nil || !ok || seen[id] {
				t.Fatalf("AcquireLock #%d = %q, %v, %v", i, id, ok, err)
			}
			seen[id] = true
		}
	})
}

func TestHealth(t *testing.T) {
	_, b := standalone(t, Options{Password: ""})
	st, err := b.Health(testCtx(t))
	if err != nil || !st.Healthy || st.Backend != "redis" || st.Latency <= 0 {
		t.Fatalf("Health = %+v, %v", st, err)
	}
	if st.Details["mode"] != "standalone" {
		t.Fatalf("Details = %v", st.Details)
	}
}

func TestClosed(t *testing.T) {
	_, b := standalone(t, Options{})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := testCtx(t)
	_, _, err := b.Get(ctx, "k")
	if !errors.Is(err, backend.ErrClosed) {
		t.Fatalf("Get after Close = %v; want ErrClosed", err)
	}
	if _, err := b.SubscribeInvalidations(ctx, "p:", func(backend.Invalidation) {}); !errors.Is(err, backend.ErrClosed) {
		t.Fatalf("SubscribeInvalidations after Close = %v; want ErrClosed", err)
	}
}
