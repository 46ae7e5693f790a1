package redis

import (
	"context"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// recorder collects invalidations; it is the subscriber callback.
type recorder struct {
	mu  sync.Mutex
	got []backend.Invalidation
}

func (r *recorder) record(inv backend.Invalidation) {
	r.mu.Lock()
	r.got = append(r.got, inv)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []backend.Invalidation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]backend.Invalidation(nil), r.got...)
}

// waitFor polls until some received invalidation satisfies match, or fails after 10 s.
func (r *recorder) waitFor(t *testing.T, what string, match func(backend.Invalidation) bool) backend.Invalidation {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, inv := range r.snapshot() {
			if match(inv) {
				return inv
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invalidation %s; got %+v", what, r.snapshot())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func keyIs(key string) func(backend.Invalidation) bool {
	return func(inv backend.Invalidation) bool { return inv.Key == key }
}

func subscribe(t *testing.T, b *Backend, prefix string) *recorder {
	t.Helper()
	r := &recorder{}
	stop, err := b.SubscribeInvalidations(testCtx(t), prefix, r.record)
	if err != nil {
		t.Fatalf("SubscribeInvalidations: %v", err)
	}
	t.Cleanup(stop)
	return r
}

// modes are the two delivery paths; tracking is what InvalidationAuto picks on Redis 7.
var modes = []struct {
	name string
	mode InvalidationMode
}{
	{"tracking", InvalidationTracking},
	{"pubsub", InvalidationPubSub},
}

func TestInvalidationFromAnotherBackend(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, sub := standalone(t, Options{Invalidation: m.mode})
			// The writer must publish for the pub/sub path: another process would set
			// PublishInvalidations.
			writer := newBackend(t, Options{Addrs: []string{srv.Addr}, PublishInvalidations: true})
			rec := subscribe(t, sub, "app:")
			ctx := testCtx(t)
			wctx := backend.WithOrigin(ctx, "writer-1")

			if err := writer.Set(wctx, "app:k", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			inv := rec.waitFor(t, "for the Set", keyIs("app:k"))
			wantOrigin := ""
			if m.mode == InvalidationPubSub {
				wantOrigin = "writer-1"
			}
			if inv.Origin != wantOrigin {
				t.Fatalf("Origin = %q; want %q", inv.Origin, wantOrigin)
			}
			if _, err := writer.Delete(ctx, "app:gone"); err != nil {
				t.Fatal(err)
			}
			if err := writer.Set(ctx, "other:k", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if _, err := writer.Delete(ctx, "app:k"); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "for the Delete", func(inv backend.Invalidation) bool {
				return inv.Key == "app:k" && inv.Origin == ""
			})
			for _, inv := range rec.snapshot() {
				if inv.Key == "other:k" {
					t.Fatalf("got an invalidation outside the prefix: %+v", inv)
				}
			}
		})
	}
}

func TestInvalidationFromRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli is not installed (scripts/ensure-test-deps.sh installs redis-tools)")
	}
	srv, b := standalone(t, Options{}) // InvalidationAuto: tracking on Redis 7
	rec := subscribe(t, b, "cli:")
	out, err := exec.Command(cli, "-h", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "SET", "cli:x", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli: %v: %s", err, out)
	}
	inv := rec.waitFor(t, "for redis-cli's SET", keyIs("cli:x"))
	if inv.Origin != "" {
		t.Fatalf("Origin = %q for a redis-cli write", inv.Origin)
	}
}

// TestOwnWritesDoNotEvict proves the NOLOOP scheme: a write with an origin to a tracked
// key reaches the subscriber only with that origin, never as an anonymous echo that would
// evict the writer's fresh L1 entry. A later foreign write on the same connection order
// shows the echo would have arrived by then.
func TestOwnWritesDoNotEvict(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, b := standalone(t, Options{Invalidation: m.mode})
			other := newBackend(t, Options{Addrs: []string{srv.Addr}, PublishInvalidations: true})
			rec := subscribe(t, b, "own:")
			ctx := testCtx(t)
			own := backend.WithOrigin(ctx, "me")
			for i := range 20 {
				if err := b.Set(own, "own:k", []byte{byte(i)}, time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := b.Delete(own, "own:k"); err != nil {
				t.Fatal(err)
			}
			// Foreign write after ours; its notification follows any echo of ours.
			if err := other.Set(ctx, "own:marker", []byte("x"), time.Minute); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "for the marker", keyIs("own:marker"))
			ownSeen := 0
			for _, inv := range rec.snapshot() {
				if inv.Key == "own:k" {
					if inv.Origin != "me" {
						t.Fatalf("own write reported as %+v; it would evict the writer's entry", inv)
					}
					ownSeen++
				}
				if inv.Key == "" {
					t.Fatalf("unexpected flush-all %+v", inv)
				}
			}
			if ownSeen != 21 {
				t.Fatalf("own writes reported %d times with the origin; want 21", ownSeen)
			}
			// A foreign write to the same key is still reported without origin.
			if err := other.Set(ctx, "own:k", []byte("theirs"), time.Minute); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "for the foreign write", func(inv backend.Invalidation) bool {
				return inv.Key == "own:k" && inv.Origin == ""
			})
		})
	}
}

func TestInvalidationTwoSubscriptionsOneBackend(t *testing.T) {
	// Two clients sharing one backend: the one that did not write must hear of the
	// other's write even though the server does not echo it (NOLOOP).
	_, b := standalone(t, Options{})
	first := subscribe(t, b, "two:")
	second := subscribe(t, b, "two:")
	if err := b.Set(backend.WithOrigin(testCtx(t), "client-a"), "two:k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	// Both subscriptions hear of it: the routing one locally with the origin, the other
	// from the server.
	for _, rec := range []*recorder{first, second} {
		rec.waitFor(t, "for the write", keyIs("two:k"))
	}
}

func TestFlushAllIsDeliveredAsEmptyKey(t *testing.T) {
	srv, b := standalone(t, Options{Invalidation: InvalidationTracking})
	rec := subscribe(t, b, "f:")
	if _, err := srv.Do("SET", "f:a", "1"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "for f:a", keyIs("f:a"))
	if _, err := srv.Do("FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "meaning flush all", keyIs(""))
}

func TestInvalidationResubscribesAfterRestart(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, b := standalone(t, Options{Invalidation: m.mode})
			rec := subscribe(t, b, "r:")
			srv.Restart()
			// The reconnection delivers a flush-all: writes may have been missed.
			rec.waitFor(t, "meaning flush all after the restart", keyIs(""))
			writer := newBackend(t, Options{Addrs: []string{srv.Addr}, PublishInvalidations: true})
			// The subscription may still be reconnecting; keep writing until it hears.
			ctx := testCtx(t)
			deadline := time.Now().Add(10 * time.Second)
			for {
				if err := writer.Set(ctx, "r:after", []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
				if len(filter(rec.snapshot(), "r:after")) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no invalidation after the restart; got %+v", rec.snapshot())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func filter(invs []backend.Invalidation, key string) []backend.Invalidation {
	var out []backend.Invalidation
	for _, inv := range invs {
		if inv.Key == key {
			out = append(out, inv)
		}
	}
	return out
}

func TestStopEndsDelivery(t *testing.T) {
	srv, b := standalone(t, Options{})
	rec := &recorder{}
	stop, err := b.SubscribeInvalidations(testCtx(t), "s:", rec.record)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	stop() // idempotent
	if _, err := srv.Do("SET", "s:k", "v"); err != nil {
		t.Fatal(err)
	}
	// A later subscription hearing a later write proves the server delivered by then.
	rec2 := subscribe(t, b, "s:")
	if _, err := srv.Do("SET", "s:k2", "v"); err != nil {
		t.Fatal(err)
	}
	rec2.waitFor(t, "for s:k2", keyIs("s:k2"))
	if got := rec.snapshot(); len(got) != 0 {
		t.Fatalf("callback ran after stop: %+v", got)
	}
}

func TestSubscribeCancelledContext(t *testing.T) {
	_, b := standalone(t, Options{Invalidation: InvalidationPubSub})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.SubscribeInvalidations(ctx, "c:", func(backend.Invalidation) {}); err == nil {
		// Subscribing may win the race with a cancelled context only if it needed no
		// wait; pub/sub always waits for the confirmation.
		t.Fatal("SubscribeInvalidations with a cancelled context succeeded")
	}
}
