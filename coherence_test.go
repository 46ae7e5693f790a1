package cachekit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// eventually polls cond until it holds or a generous deadline passes. The memory
// backend delivers invalidations on its own goroutine, so the receiving side can only be
// observed, not synchronised with.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestInvalidationAcrossClients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mem.Close() })
	a := newClient(t, Options{Backend: mem, Namespace: "app"})
	b := newClient(t, Options{Backend: mem, Namespace: "app"})
	other := newClient(t, Options{Backend: mem, Namespace: "other"})

	if err := a.Set(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	// a's write reaches b as an invalidation on the backend's own goroutine; let it land
	// first, or it could evict the copy b is about to backfill.
	eventually(t, "b to receive the invalidation of a's first write", func() bool {
		return b.Stats().InvalidationsReceived >= 1
	})
	if got, _, _ := Get[string](ctx, b, "k"); got != "v1" {
		t.Fatalf("b read %q", got)
	}
	if _, ok := b.l1.Get("k"); !ok {
		t.Fatal("b did not backfill its L1")
	}
	_ = other.Set(ctx, "k", "unrelated") // another namespace: not b's key

	if err := a.Set(ctx, "k", "v2"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b to drop its L1 copy", func() bool {
		_, ok := b.l1.Get("k")
		return !ok
	})
	if got, _, _ := Get[string](ctx, b, "k"); got != "v2" {
		t.Fatalf("b read %q after a's write, want v2", got)
	}
	// a's own write stayed in a's L1: its echo is ignored.
	if e, ok := a.l1.Get("k"); !ok || string(e.Value) != "\xa2v2" {
		t.Fatal("a's L1 lost its own write")
	}
	if b.Stats().InvalidationsReceived == 0 {
		t.Error("b counted no invalidation")
	}

	// Deletes propagate too.
	if _, err := a.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b to drop its L1 copy after the delete", func() bool {
		_, ok := b.l1.Get("k")
		return !ok
	})
	if _, found, _ := Get[string](ctx, b, "k"); found {
		t.Error("b still finds the deleted key")
	}
	// The other namespace's client never heard about app's key.
	if _, ok := other.l1.Get("k"); !ok {
		t.Error("a write under app: evicted other:'s entry")
	}
}

func TestNoInvalidationOption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mem.Close() })
	c := newClient(t, Options{Backend: mem, L1: L1Options{NoInvalidation: true}})
	if c.stopInvalidations != nil {
		t.Fatal("subscribed despite NoInvalidation")
	}
	_ = c.Set(ctx, "k", 1)
	_ = c.Close()
	d := newClient(t, Options{Backend: mem})
	if d.stopInvalidations == nil {
		t.Fatal("did not subscribe to an Invalidator backend")
	}
}

// TestInvalidationRacingBackfill drives the race deterministically: an invalidation
// arrives after the backend read and before the backfill. The value read must not stay
// in the L1.
func TestInvalidationRacingBackfill(t *testing.T) {
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{Namespace: "app"})
	enc, _ := codec.Marshal("old")
	fb.put("app:k", enc)

	beforeBackfill = func(key string) {
		c.onInvalidation(backend.Invalidation{Key: "app:" + key, Origin: "another client"})
	}
	t.Cleanup(func() { beforeBackfill = func(string) {} })
	got, found, err := Get[string](ctx, c, "k")
	if err != nil || !found || got != "old" {
		t.Fatalf("Get = %q, %v, %v", got, found, err)
	}
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("a value read before an invalidation was backfilled after it")
	}

	// Same race with a Delete from this client.
	beforeBackfill = func(key string) {
		if _, err := c.Delete(ctx, key); err != nil {
			t.Error(err)
		}
	}
	fb.put("app:k", enc)
	_, _, _ = Get[string](ctx, c, "k")
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("a value read before a Delete was backfilled after it")
	}

	// Without a racing change the backfill happens.
	beforeBackfill = func(string) {}
	fb.put("app:k", enc)
	_, _, _ = Get[string](ctx, c, "k")
	if _, ok := c.l1.Get("k"); !ok {
		t.Fatal("no backfill without a race")
	}
}

func TestOwnEchoIgnored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newFakeClient(t, Options{Namespace: "app"})
	_ = c.Set(ctx, "k", "v")
	c.onInvalidation(backend.Invalidation{Key: "app:k", Origin: c.id})
	if _, ok := c.l1.Get("k"); !ok {
		t.Fatal("the client's own echo evicted its write")
	}
	c.onInvalidation(backend.Invalidation{Key: "elsewhere:k"})
	if _, ok := c.l1.Get("k"); !ok {
		t.Fatal("an invalidation outside the namespace evicted the entry")
	}
	c.onInvalidation(backend.Invalidation{Key: "app:k"}) // unknown writer
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("an invalidation from an unknown writer was ignored")
	}
}

// TestFlushAllInvalidation proves that an invalidation with an empty key, which a backend
// sends when it may have lost notifications, empties the whole L1 and makes in-flight
// backfills give way.
func TestFlushAllInvalidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClient(t, Options{Backend: newFakeBackend(), Namespace: "app", L1: L1Options{NoInvalidation: true}})
	for _, k := range []string{"a", "b", "c"} {
		if err := c.Set(ctx, k, k); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.l1.Get(k); !ok {
			t.Fatalf("%s not in L1 after Set", k)
		}
	}
	gen := c.l1.Generation("a")
	c.onInvalidation(backend.Invalidation{Key: ""})
	for _, k := range []string{"a", "b", "c"} {
		if _, ok := c.l1.Get(k); ok {
			t.Errorf("%s still in L1 after a flush-all invalidation", k)
		}
	}
	if c.l1.Backfill("a", []byte{0xa1, 'a'}, time.Minute, gen) {
		t.Error("a backfill that started before the flush was stored")
	}
	if got := c.Stats().InvalidationsReceived; got != 1 {
		t.Errorf("Stats().InvalidationsReceived = %d, want 1", got)
	}
	if got := c.Stats().L1Flushes; got != 1 {
		t.Errorf("Stats().L1Flushes = %d, want 1", got)
	}
	c.onInvalidation(backend.Invalidation{Key: "app:a"})
	if got := c.Stats().L1Flushes; got != 1 {
		t.Errorf("a single-key invalidation counted as a flush: L1Flushes = %d", got)
	}
}

// wantCoherence fails the test unless the client's coherence stats are want.
func wantCoherence(t *testing.T, c *Client, when string, want CoherenceStats) {
	t.Helper()
	if got := c.Stats().Coherence; got != want {
		t.Fatalf("%s: Stats().Coherence = %+v, want %+v", when, got, want)
	}
}

// TestDisconnectedSubscriptionBypassesL1 proves that while the backend says its
// invalidation subscription is disconnected, nothing enters the L1 (no backfill on a
// backend hit, no write-through on Set, no memoized result), so every read goes to the
// backend; and that the flush-all announcing the recovery brings the L1 back.
func TestDisconnectedSubscriptionBypassesL1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ib := newInvalidatingBackend()
	c := newClient(t, Options{Backend: ib, Namespace: "app"})
	wantCoherence(t, c, "after New", CoherenceStats{Subscribed: true, Connected: true})

	enc, _ := codec.Marshal("v1")
	ib.put("app:k", enc)
	read := func(when string) {
		t.Helper()
		if got, found, err := Get[string](ctx, c, "k"); err != nil || !found || got != "v1" {
			t.Fatalf("%s: Get = %q, %v, %v", when, got, found, err)
		}
	}
	read("connected, first read")
	read("connected, second read")
	if n := ib.gets.Load(); n != 1 {
		t.Fatalf("connected: the backend saw %d Gets for two reads, want 1 (the second from the L1)", n)
	}

	ib.send(backend.Invalidation{Disconnected: true})
	wantCoherence(t, c, "after the disconnected flush", CoherenceStats{Subscribed: true, Disconnects: 1})
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("the disconnected flush left an entry in the L1")
	}
	read("disconnected, first read")
	read("disconnected, second read")
	if n := ib.gets.Load(); n != 3 {
		t.Fatalf("disconnected: the backend saw %d Gets in all, want 3 (no backfill, so both reads reach it)", n)
	}
	if err := c.Set(ctx, "w", "written"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.l1.Get("w"); ok {
		t.Fatal("Set wrote through to the L1 while disconnected")
	}
	if _, ok := ib.raw("app:w"); !ok {
		t.Fatal("Set did not reach the backend while disconnected")
	}
	if _, err := c.GetMany(ctx, []string{"k", "w"}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	memo, err := Memoize(c, "answer", func(context.Context) (int, error) { runs.Add(1); return 42, nil })
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if v, err := memo(ctx); err != nil || v != 42 {
			t.Fatalf("memoized call = %v, %v", v, err)
		}
	}
	if s := c.Stats(); s.L1Hits != 1 || s.L1Entries != 0 {
		t.Fatalf("disconnected: L1Hits = %d, L1Entries = %d; want the one hit from before and no entry", s.L1Hits, s.L1Entries)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("the memoized function ran %d times; its stored result should answer the second call from the backend", n)
	}
	if n := c.Stats().Memo.WritesSkipped; n != 0 {
		t.Fatalf("Memo.WritesSkipped = %d: a result kept out of a suspended L1 is not a write lost to a newer one", n)
	}

	// A second report of the same outage is not a second disconnect.
	ib.send(backend.Invalidation{Disconnected: true})
	wantCoherence(t, c, "after a repeated disconnected flush", CoherenceStats{Subscribed: true, Disconnects: 1})

	ib.send(backend.Invalidation{})
	wantCoherence(t, c, "after the recovery flush", CoherenceStats{Subscribed: true, Connected: true, Disconnects: 1})
	before := ib.gets.Load()
	read("reconnected, first read")
	read("reconnected, second read")
	if n := ib.gets.Load() - before; n != 1 {
		t.Fatalf("reconnected: the backend saw %d Gets for two reads, want 1 (backfill resumed)", n)
	}
	if err := c.Set(ctx, "w", "again"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.l1.Get("w"); !ok {
		t.Fatal("Set did not write through to the L1 after the recovery")
	}
	if got := c.Stats().L1Flushes; got != 3 {
		t.Errorf("Stats().L1Flushes = %d, want 3 (each flush-all empties the L1)", got)
	}
}

// TestDisconnectRacingBackfill drives the two races of an outage deterministically: a
// backend read made while connected whose backfill comes after the disconnected flush,
// and one made while disconnected whose backfill comes after the recovery flush. Neither
// value may enter the L1: the first could miss a change made during the outage, the
// second one made before the recovery.
func TestDisconnectRacingBackfill(t *testing.T) {
	ctx := context.Background()
	ib := newInvalidatingBackend()
	c := newClient(t, Options{Backend: ib, Namespace: "app"})
	enc, _ := codec.Marshal("v")
	ib.put("app:k", enc)
	t.Cleanup(func() { beforeBackfill = func(string) {} })

	for _, tt := range []struct {
		name          string
		flush         backend.Invalidation
		wantConnected bool // Stats().Coherence.Connected after the flush
	}{
		{"connected read, disconnected flush", backend.Invalidation{Disconnected: true}, false},
		{"disconnected read, recovery flush", backend.Invalidation{}, true},
	} {
		beforeBackfill = func(string) { ib.send(tt.flush) }
		if _, found, err := Get[string](ctx, c, "k"); err != nil || !found {
			t.Fatalf("%s: Get = %v, %v", tt.name, found, err)
		}
		if _, ok := c.l1.Get("k"); ok {
			t.Fatalf("%s: the value was backfilled after the flush", tt.name)
		}
		if got := c.Stats().Coherence.Connected; got != tt.wantConnected {
			t.Fatalf("%s: Connected = %v, want %v", tt.name, got, tt.wantConnected)
		}
	}
	beforeBackfill = func(string) {}
	_, _, _ = Get[string](ctx, c, "k")
	if _, ok := c.l1.Get("k"); !ok {
		t.Fatal("no backfill once connected and without a race")
	}
}

// TestCoherenceNotSubscribed: a client whose L1 is not kept coherent says so in Stats,
// whatever the reason, and its L1 still works; a working subscription is the control.
func TestCoherenceNotSubscribed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	failing := newInvalidatingBackend()
	failing.subscribeErr = transientFailure("subscribe")
	for _, tt := range []struct {
		name string
		o    Options
		want CoherenceStats
	}{
		{"subscription failed", Options{Backend: failing, Logger: slog.New(slog.DiscardHandler)}, CoherenceStats{}},
		{"backend without invalidation", Options{Backend: newFakeBackend()}, CoherenceStats{}},
		{"NoInvalidation", Options{Backend: newInvalidatingBackend(), L1: L1Options{NoInvalidation: true}}, CoherenceStats{}},
		{"L1 disabled", Options{Backend: newInvalidatingBackend(), L1: L1Options{Disabled: true}}, CoherenceStats{}},
		{"subscribed", Options{Backend: newInvalidatingBackend()}, CoherenceStats{Subscribed: true, Connected: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, tt.o)
			wantCoherence(t, c, "after New", tt.want)
			if c.l1 == nil {
				return
			}
			if err := c.Set(ctx, "k", 1); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.l1.Get("k"); !ok {
				t.Fatal("the L1 took no write-through")
			}
		})
	}
}
