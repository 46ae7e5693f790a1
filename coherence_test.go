package cachekit

import (
	"context"
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
