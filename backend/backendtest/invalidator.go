package backendtest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
)

// notifications collects what an Invalidator subscriber was told. Its record method is
// the subscriber callback; it never blocks for long.
type notifications struct {
	mu  sync.Mutex
	got []backend.Invalidation
}

func (n *notifications) record(inv backend.Invalidation) {
	n.mu.Lock()
	n.got = append(n.got, inv)
	n.mu.Unlock()
}

// about returns the notifications received for key.
func (n *notifications) about(key string) []backend.Invalidation {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []backend.Invalidation
	for _, inv := range n.got {
		if inv.Key == key {
			out = append(out, inv)
		}
	}
	return out
}

// all returns every notification received so far.
func (n *notifications) all() []backend.Invalidation {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]backend.Invalidation(nil), n.got...)
}

func mustSubscribe(tb testing.TB, b backend.Backend, prefix string, fn func(backend.Invalidation)) func() {
	tb.Helper()
	stop, err := b.(backend.Invalidator).SubscribeInvalidations(ctxOf(tb), prefix, fn)
	if err != nil {
		tb.Fatalf("SubscribeInvalidations(%q): %v", prefix, err)
	}
	if stop == nil {
		tb.Fatalf("SubscribeInvalidations(%q) returned a nil stop function", prefix)
	}
	return stop
}

// waitNotified waits until n holds more than already notifications about key.
func waitNotified(tb testing.TB, e env, n *notifications, key string, already int, what string) {
	tb.Helper()
	Eventually(tb, e.opts.invalidationLatency(), fmt.Sprintf("a notification about %s of %q", what, key), func() (bool, error) {
		return len(n.about(key)) > already, nil
	})
}

// newOrigin returns a writer origin no other test uses.
func newOrigin() string { return "backendtest-writer-" + strconv.FormatUint(rand.Uint64(), 36) }

// checkInvalidationSetAndDelete: a subscriber hears of a Set and of a Delete made by a
// writer, with the writer's origin when the backend reports origins, and no notification
// about a key claims the subscription is disconnected (only a flush-all may).
func checkInvalidationSetAndDelete(tb testing.TB, e env) {
	prefix := UniqueKey(tb) + ":"
	key := prefix + "item"
	n := &notifications{}
	tb.Cleanup(mustSubscribe(tb, e.b, prefix, n.record))

	w := e.writer()
	origin := newOrigin()
	wctx := backend.WithOrigin(ctxOf(tb), origin)
	if err := w.Set(wctx, key, []byte("v"), defaultTTL); err != nil {
		tb.Fatalf("writer Set(%q): %v", key, err)
	}
	waitNotified(tb, e, n, key, 0, "Set")
	afterSet := len(n.about(key))
	if deleted, err := w.Delete(wctx, key); err != nil || !deleted {
		tb.Fatalf("writer Delete(%q) = (%v, %v), want (true, nil)", key, deleted, err)
	}
	waitNotified(tb, e, n, key, afterSet, "Delete")

	for _, inv := range n.all() {
		if inv.Disconnected && inv.Key != "" {
			tb.Errorf("notification %+v: Disconnected set on a key; it belongs to a flush-all (empty Key) only", inv)
		}
	}
	if e.opts.ReportsOrigins {
		for _, inv := range n.about(key) {
			if inv.Origin != origin {
				tb.Errorf("notification %+v: Origin = %q, want the writer's %q (Options.ReportsOrigins)", inv, inv.Origin, origin)
			}
		}
	}
}

// checkInvalidationPrefix: a subscriber hears only of keys under its prefix, even keys
// that differ from it in the last byte.
func checkInvalidationPrefix(tb testing.TB, e env) {
	prefix := UniqueKey(tb) + ":in:"
	inside := prefix + "item"
	outside := []string{
		UniqueKey(tb) + ":out",
		prefix[:len(prefix)-1] + "X" + "item",
		prefix[:len(prefix)-1],
	}
	n := &notifications{}
	tb.Cleanup(mustSubscribe(tb, e.b, prefix, n.record))

	w := e.writer()
	for _, k := range outside {
		mustSet(tb, w, k, []byte("not watched"), defaultTTL)
	}
	mustSet(tb, w, inside, []byte("watched"), defaultTTL)
	waitNotified(tb, e, n, inside, 0, "Set")
	for _, inv := range n.all() {
		for _, k := range outside {
			if inv.Key == k {
				tb.Errorf("subscriber to prefix %q was notified about %q", prefix, k)
			}
		}
	}
}

// checkInvalidationStop: after stop returns the callback is never called again, stop
// may be called twice, and other subscribers carry on. A second subscriber serves as
// the barrier: once it has heard of a later change, so would the stopped one have.
func checkInvalidationStop(tb testing.TB, e env) {
	prefix := UniqueKey(tb) + ":"
	first, second := prefix+"first", prefix+"second"

	var stopped atomic.Bool
	var late atomic.Int64
	stopped1 := &notifications{}
	stop1 := mustSubscribe(tb, e.b, prefix, func(inv backend.Invalidation) {
		if stopped.Load() {
			late.Add(1)
		}
		stopped1.record(inv)
	})
	barrier := &notifications{}
	tb.Cleanup(mustSubscribe(tb, e.b, prefix, barrier.record))

	w := e.writer()
	mustSet(tb, w, first, []byte("1"), defaultTTL)
	waitNotified(tb, e, stopped1, first, 0, "Set")
	waitNotified(tb, e, barrier, first, 0, "Set")

	stop1()
	stopped.Store(true)
	func() {
		defer func() {
			if r := recover(); r != nil {
				tb.Errorf("calling stop a second time panicked: %v", r)
			}
		}()
		stop1()
	}()

	mustSet(tb, w, second, []byte("2"), defaultTTL)
	waitNotified(tb, e, barrier, second, 0, "Set")
	before := len(barrier.about(first))
	mustDelete(tb, w, first)
	waitNotified(tb, e, barrier, first, before, "Delete")
	if n := late.Load(); n > 0 {
		tb.Errorf("the callback was called %d times after stop returned", n)
	}
}
