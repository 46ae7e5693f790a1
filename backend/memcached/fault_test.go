package memcached_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// allOps runs every operation on key once and returns each error by name.
func allOps(ctx context.Context, b *memcached.Backend, key string) map[string]error {
	errs := map[string]error{}
	_, _, errs["Get"] = b.Get(ctx, key)
	errs["Set"] = b.Set(ctx, key, []byte("v"), time.Minute)
	_, errs["Delete"] = b.Delete(ctx, key)
	_, errs["Exists"] = b.Exists(ctx, key)
	_, errs["GetMany"] = b.GetMany(ctx, []string{key})
	_, _, errs["TTL"] = b.TTL(ctx, key)
	_, errs["RefreshTTL"] = b.RefreshTTL(ctx, key, time.Minute)
	_, _, errs["AcquireLock"] = b.AcquireLock(ctx, key, time.Second)
	_, errs["ReleaseLock"] = b.ReleaseLock(ctx, key, "id")
	_, errs["Health"] = b.Health(ctx)
	return errs
}

// TestServerKilledAndRestarted: while the server is down every operation fails with a
// transient error (no panic, no hang); once it is back the backend recovers by itself.
func TestServerKilledAndRestarted(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	const idle = 4
	b := newBackend(t, memcached.Options{MaxIdleConns: idle}, srv...)
	ctx := t.Context()
	key := uniqueKey("fault")
	// Fill the connection pools, so that the kill leaves stale connections behind.
	for range idle {
		for op, err := range allOps(ctx, b, key) {
			if err != nil {
				t.Fatalf("%s before the kill: %v", op, err)
			}
		}
	}

	srv[0].Kill()
	for round := range 3 {
		for op, err := range allOps(ctx, b, key) {
			if err == nil {
				t.Fatalf("round %d: %s succeeded with the server down", round, op)
			}
			wantKind(t, op+" with the server down", err, backend.KindTransient)
			if !backend.IsRetryable(err) {
				t.Fatalf("%s: %v is not retryable", op, err)
			}
		}
	}
	st, err := b.Health(ctx)
	if err == nil || st.Healthy || st.Details["servers_up"] != "0" {
		t.Fatalf("Health with the server down = (%+v, %v), want unhealthy", st, err)
	}

	srv[0].Restart()
	// Each idle connection left from before the restart may fail one call; then every
	// operation works again.
	var lastErr error
	for attempt := 0; attempt < 2*idle+2; attempt++ {
		lastErr = nil
		for op, err := range allOps(ctx, b, key) {
			if err != nil {
				wantKind(t, op+" just after the restart", err, backend.KindTransient)
				lastErr = err
			}
		}
		if lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("still failing after the restart: %v", lastErr)
	}
	if err := b.Set(ctx, key, []byte("after"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, key); err != nil || !found || string(v) != "after" {
		t.Fatalf("Get after recovery = (%q, %v, %v)", v, found, err)
	}
}

// TestOneOfManyServersDown: only the keys of the down server fail; Health names it.
func TestOneOfManyServersDown(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 3, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	ctx := t.Context()
	srv[1].Kill()
	ok, failed := 0, 0
	for range 60 {
		err := b.Set(ctx, uniqueKey("partial"), []byte("v"), time.Minute)
		if err != nil {
			wantKind(t, "Set", err, backend.KindTransient)
			failed++
		} else {
			ok++
		}
	}
	if ok == 0 || failed == 0 {
		t.Fatalf("with 1 of 3 servers down: %d sets succeeded and %d failed, want some of each", ok, failed)
	}
	st, err := b.Health(ctx)
	if err == nil || st.Healthy || st.Details["servers_up"] != "2" || st.Details["server."+srv[1].Addr+".error"] != "transient" {
		t.Fatalf("Health = (%+v, %v), want 2 of 3 up and server %s reported transient", st, err, srv[1].Addr)
	}
}

// TestUnresponsiveServerTimesOut: a server that accepts connections and never answers
// makes calls fail with KindTimeout after Options.Timeout.
func TestUnresponsiveServerTimesOut(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{blackhole(t)}, Timeout: 100 * time.Millisecond})
	ctx := t.Context()
	for op, err := range allOps(ctx, b, "slow") {
		wantKind(t, op, err, backend.KindTimeout)
		if !errors.Is(err, backend.ErrTimeout) {
			t.Fatalf("%s: %v does not match backend.ErrTimeout", op, err)
		}
	}
}

// TestContextDeadlineDuringCall: a context deadline that passes during a call is
// reported as context.DeadlineExceeded. For Exists, TTL and Health the deadline also
// bounds the call itself: with an hour-long Timeout they return only because it does.
func TestContextDeadlineDuringCall(t *testing.T) {
	t.Parallel()
	addr := blackhole(t)

	hour := newBackend(t, memcached.Options{Servers: []string{addr}, Timeout: time.Hour})
	errs := map[string]error{}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	_, errs["Exists"] = hour.Exists(ctx, "k")
	cancel()
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	_, _, errs["TTL"] = hour.TTL(ctx, "k")
	cancel()
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	_, errs["Health"] = hour.Health(ctx)
	cancel()

	// gomemcache calls end at their own Timeout and then report the context.
	short := newBackend(t, memcached.Options{Servers: []string{addr}, Timeout: 200 * time.Millisecond})
	ctx, cancel = context.WithTimeout(t.Context(), 20*time.Millisecond)
	_, _, errs["Get"] = short.Get(ctx, "k")
	cancel()

	for op, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want context.DeadlineExceeded", op, err)
			continue
		}
		wantKind(t, op, err, backend.KindTimeout)
	}
}

// TestCancelDuringMetaCall: cancelling the context interrupts Exists at once, even with
// an hour-long Timeout.
func TestCancelDuringMetaCall(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{blackhole(t)}, Timeout: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := b.Exists(ctx, "k")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Exists block on the silent server
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Exists after cancel = %v, want context.Canceled", err)
	}
}

// TestNewWithServersDown: New never connects, so it succeeds while the servers are down.
func TestNewWithServersDown(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{closedPort(t), "nonexistent.invalid:11211"}})
	if _, err := b.Health(t.Context()); err == nil {
		t.Fatal("Health with no server up succeeded")
	}
}
