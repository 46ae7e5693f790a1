package redis

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// TestOpTimeoutSharesDeadlines checks the contexts bound hands out, in a synctest bubble
// where time moves only when told: operations on a context that cannot end share one
// deadline within a window, carry their own values, never get less than the timeout,
// and end with context.DeadlineExceeded, as do contexts derived from theirs.
func TestOpTimeoutSharesDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = 640 * time.Millisecond
		const window = d / sharedDeadlineSlack // 10 ms
		ot := newOpTimeout(d)
		start := time.Now()

		first, cancel := ot.bound(context.Background())
		defer cancel()
		deadline, ok := first.Deadline()
		if !ok || deadline.Before(start.Add(d)) || deadline.After(start.Add(d+window)) {
			t.Fatalf("deadline %v after the start (set %v); want within [%v, %v]", deadline.Sub(start), ok, d, d+window)
		}
		if first.Err() != nil {
			t.Fatalf("a fresh context ended: %v", first.Err())
		}

		time.Sleep(window) // the end of the window: the deadline is still exactly d away
		own, cancel := ot.bound(backend.WithOrigin(context.Background(), "me"))
		defer cancel()
		if own.Done() != first.Done() {
			t.Fatal("an operation within the window did not share the deadline")
		}
		if got := backend.OriginFrom(own); got != "me" {
			t.Fatalf("origin through the shared deadline = %q; want me", got)
		}
		if got, _ := own.Deadline(); time.Until(got) < d {
			t.Fatalf("shared deadline %v away; want at least %v", time.Until(got), d)
		}

		time.Sleep(time.Nanosecond) // past the window: the shared deadline is too soon now
		later, cancel := ot.bound(context.TODO())
		defer cancel()
		if later.Done() == first.Done() {
			t.Fatal("an operation after the window got a deadline less than the timeout away")
		}
		if got, _ := later.Deadline(); time.Until(got) < d {
			t.Fatalf("new deadline %v away; want at least %v", time.Until(got), d)
		}

		derived, cancelDerived := context.WithCancel(own)
		defer cancelDerived()
		time.Sleep(time.Until(deadline) - time.Nanosecond)
		synctest.Wait()
		if first.Err() != nil || derived.Err() != nil {
			t.Fatalf("ended before the deadline: %v, derived %v", first.Err(), derived.Err())
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait() // the timer's goroutine has run
		for name, ctx := range map[string]context.Context{"shared": first, "with values": own, "derived": derived} {
			select {
			case <-ctx.Done():
			default:
				t.Fatalf("%s: Done is open at the deadline", name)
			}
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				t.Fatalf("%s: Err %v, Cause %v; want context.DeadlineExceeded", name, ctx.Err(), context.Cause(ctx))
			}
		}
		if later.Err() != nil {
			t.Fatalf("the next window's context ended with the previous one: %v", later.Err())
		}
	})
}

// TestOpTimeoutKeepsCallerContexts checks that a caller's context that can end is
// honoured as before: one ending sooner than the timeout is used as it is, and a
// cancellable one gets an exact timer of its own and still cancels the operation.
func TestOpTimeoutKeepsCallerContexts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = time.Second
		ot := newOpTimeout(d)
		shared, cancel := ot.bound(context.Background())
		defer cancel()

		sooner, cancelSooner := context.WithTimeout(context.Background(), d/2)
		defer cancelSooner()
		if got, cancel := ot.bound(sooner); got != sooner {
			cancel()
			t.Fatal("a context ending before the timeout was replaced")
		}

		parent, cancelParent := context.WithCancel(context.Background())
		bounded, cancel := ot.bound(parent)
		defer cancel()
		if bounded.Done() == shared.Done() {
			t.Fatal("a cancellable context got the shared deadline")
		}
		if got, _ := bounded.Deadline(); !got.Equal(time.Now().Add(d)) {
			t.Fatalf("deadline %v away; want exactly %v", time.Until(got), d)
		}
		cancelParent()
		<-bounded.Done()
		if !errors.Is(bounded.Err(), context.Canceled) {
			t.Fatalf("after the caller cancelled: %v; want context.Canceled", bounded.Err())
		}
	})
}

// TestReadTimeoutWithoutCallerDeadline proves that Options.ReadTimeout bounds a read
// made with context.Background (the shared-deadline path) against a server that does
// not answer: CLIENT PAUSE holds every command for longer than the timeout.
func TestReadTimeoutWithoutCallerDeadline(t *testing.T) {
	srv := testserver.StartRedis(t, testserver.RedisOptions{})
	b := newBackend(t, Options{Addrs: []string{srv.Addr}, ReadTimeout: 200 * time.Millisecond})
	if _, _, err := b.Get(context.Background(), "k"); err != nil {
		t.Fatalf("Get before the pause: %v", err)
	}
	if _, err := srv.Do("CLIENT", "PAUSE", "1000", "ALL"); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	_, _, err := b.Get(context.Background(), "k")
	if !errors.Is(err, backend.ErrTimeout) {
		t.Fatalf("Get while the server is paused: %v; want a KindTimeout error", err)
	}
}

// TestOwnWritesWithoutCallerDeadline runs own writes with a context that cannot end, so
// their origin travels through the shared deadline: the subscriber must see each of them
// with that origin (write's tracking route), never as an anonymous echo that would evict
// the writer's fresh L1 entry. A foreign write made afterwards marks when any echo would
// have arrived.
func TestOwnWritesWithoutCallerDeadline(t *testing.T) {
	srv, b := standalone(t, Options{})
	other := newBackend(t, Options{Addrs: []string{srv.Addr}})
	rec := subscribe(t, b, "bg:")
	own := backend.WithOrigin(context.Background(), "me")
	const writes = 5
	for i := range writes {
		if err := b.Set(own, "bg:k", []byte{byte(i)}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Set(context.Background(), "bg:marker", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "for the marker", keyIs("bg:marker"))
	seen := 0
	for _, inv := range rec.snapshot() {
		if inv.Key != "bg:k" {
			continue
		}
		if inv.Origin != "me" {
			t.Fatalf("own write reported as %+v; want origin me", inv)
		}
		seen++
	}
	if seen != writes {
		t.Fatalf("own writes reported %d times with the origin; want %d", seen, writes)
	}
}

// BenchmarkOpTimeout measures what bounding one operation costs, in parallel: a
// context.WithTimeout of its own (what every operation paid before, and what a caller's
// cancellable context still gets) beside the shared deadline of bound, without and with
// the caller's values. Each asks for Done, as rueidis does when it queues a command.
func BenchmarkOpTimeout(b *testing.B) {
	const d = DefaultReadTimeout
	ot := newOpTimeout(d)
	withOrigin := backend.WithOrigin(context.Background(), "me")
	for _, c := range []struct {
		name  string
		bound func() (context.Context, context.CancelFunc)
	}{
		{"timer-per-call", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), d)
		}},
		{"shared", func() (context.Context, context.CancelFunc) { return ot.bound(context.Background()) }},
		{"shared-with-values", func() (context.Context, context.CancelFunc) { return ot.bound(withOrigin) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ctx, cancel := c.bound()
					if ctx.Done() == nil {
						b.Error("no Done channel")
					}
					cancel()
				}
			})
		})
	}
}
