package memory

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// failSafe bounds waits that only a bug (a deadlock, a lost notification) would
// exhaust. It is a guard against hanging, not a timing assertion.
const failSafe = 10 * time.Second

// inbox is a subscriber callback that records notifications.
type inbox struct {
	mu   sync.Mutex
	got  []backend.Invalidation
	seen chan struct{} // receives a token per notification
}

func newInbox() *inbox { return &inbox{seen: make(chan struct{}, 1<<12)} }

func (in *inbox) record(inv backend.Invalidation) {
	in.mu.Lock()
	in.got = append(in.got, inv)
	in.mu.Unlock()
	in.seen <- struct{}{}
}

// waitFor waits until a notification about key has arrived and returns all so far.
func (in *inbox) waitFor(t *testing.T, key string) []backend.Invalidation {
	t.Helper()
	deadline := time.After(failSafe)
	for {
		in.mu.Lock()
		got := slices.Clone(in.got)
		in.mu.Unlock()
		if slices.ContainsFunc(got, func(inv backend.Invalidation) bool { return inv.Key == key }) {
			return got
		}
		select {
		case <-in.seen:
		case <-deadline:
			t.Fatalf("no notification about %q; got %v", key, got)
		}
	}
}

func subscribe(t *testing.T, b *Backend, prefix string, fn func(backend.Invalidation)) {
	t.Helper()
	stop, err := b.SubscribeInvalidations(t.Context(), prefix, fn)
	if err != nil {
		t.Fatalf("SubscribeInvalidations(%q): %v", prefix, err)
	}
	t.Cleanup(stop)
}

// TestInvalidationFanOut checks who hears of what: each subscriber exactly the value
// changes under its prefix, in order, with the writer's origin; deletes of absent keys,
// refreshes and locks are not changes.
func TestInvalidationFanOut(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{})
	ctx := t.Context()
	if err := b.Set(ctx, "b:1", []byte("before any subscriber"), time.Hour); err != nil {
		t.Fatal(err)
	}
	inboxes := map[string]*inbox{"a:": newInbox(), "b:": newInbox(), "": newInbox()}
	for prefix, in := range inboxes {
		subscribe(t, b, prefix, in.record)
	}

	w1 := backend.WithOrigin(ctx, "writer-1")
	w2 := backend.WithOrigin(ctx, "writer-2")
	steps := []func() error{
		func() error { return b.Set(w1, "a:1", []byte("x"), time.Hour) },
		func() error { _, err := b.Delete(w2, "b:1"); return err },
		func() error { _, err := b.Delete(w1, "a:absent"); return err },
		func() error { _, err := b.RefreshTTL(w1, "a:1", time.Minute); return err },
		func() error { _, _, err := b.AcquireLock(w1, "a:1", time.Minute); return err },
		func() error { return b.Set(ctx, "c:1", []byte("x"), time.Hour) },
		func() error { return b.Set(w2, "a:end", []byte("x"), time.Hour) },
		func() error { return b.Set(w2, "b:end", []byte("x"), time.Hour) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	tests := []struct {
		prefix, last string
		want         []backend.Invalidation
	}{
		{"a:", "a:end", []backend.Invalidation{{Key: "a:1", Origin: "writer-1"}, {Key: "a:end", Origin: "writer-2"}}},
		{"b:", "b:end", []backend.Invalidation{{Key: "b:1", Origin: "writer-2"}, {Key: "b:end", Origin: "writer-2"}}},
		{"", "b:end", []backend.Invalidation{
			{Key: "a:1", Origin: "writer-1"}, {Key: "b:1", Origin: "writer-2"}, {Key: "c:1"},
			{Key: "a:end", Origin: "writer-2"}, {Key: "b:end", Origin: "writer-2"},
		}},
	}
	for _, tt := range tests {
		// Delivery is in order per subscriber, so once the last change has arrived
		// everything before it has too.
		if got := inboxes[tt.prefix].waitFor(t, tt.last); !slices.Equal(got, tt.want) {
			t.Errorf("subscriber %q got %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

// TestCallbackNotUnderLock has the callback read and write the backend, including the
// very key and shard it is told about. Were callbacks run under a shard lock, this
// would deadlock; the fail-safe turns a deadlock into a failure.
func TestCallbackNotUnderLock(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{})
	ctx := t.Context()
	done := make(chan error, 1)
	subscribe(t, b, "watched:", func(inv backend.Invalidation) {
		_, _, err := b.Get(ctx, inv.Key)
		if err == nil {
			_, err = b.Exists(ctx, inv.Key)
		}
		if err == nil {
			err = b.Set(ctx, "elsewhere", []byte("x"), time.Minute)
		}
		if err == nil {
			_, err = b.RefreshTTL(ctx, inv.Key, time.Minute)
		}
		done <- err
	})
	if err := b.Set(ctx, "watched:k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("backend call from the callback: %v", err)
		}
	case <-time.After(failSafe):
		t.Fatal("the callback never finished: it is blocked on a backend lock")
	}
}

// TestSlowSubscriber checks that a callback that stops returning does not block
// writers, that notifications beyond the buffer are dropped, and that the subscriber
// is then told with one Invalidation whose Key is empty.
func TestSlowSubscriber(t *testing.T) {
	t.Parallel()
	const buffer, writes = 4, 100
	b := newBackend(t, Options{InvalidationBuffer: buffer})
	ctx := t.Context()
	release := make(chan struct{})
	in := newInbox()
	first := true
	subscribe(t, b, "", func(inv backend.Invalidation) {
		if first {
			first = false
			<-release
		}
		in.record(inv)
	})

	wrote := make(chan error, 1)
	go func() {
		for i := range writes {
			if err := b.Set(ctx, "k", []byte{byte(i)}, time.Minute); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- b.Set(ctx, "k:last", nil, time.Minute)
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(failSafe):
		t.Fatal("writers are blocked behind a slow subscriber")
	}
	close(release)

	got := in.waitFor(t, "")
	if len(got) > 1+buffer+1 {
		t.Errorf("got %d notifications before the loss signal, want at most the one in flight, %d buffered and the signal", len(got), buffer)
	}
	if n := len(slices.DeleteFunc(slices.Clone(got), func(inv backend.Invalidation) bool { return inv.Key != "" })); n != 1 {
		t.Errorf("got %d loss signals, want 1", n)
	}
	// Delivery goes on normally after a loss.
	if err := b.Set(ctx, "after", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	in.waitFor(t, "after")
}

// TestStopWaitsForCallback checks that stop returns only after a running callback has
// returned, so nothing runs after stop.
func TestStopWaitsForCallback(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{})
	ctx := t.Context()
	entered, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	returned := false
	stop, err := b.SubscribeInvalidations(ctx, "", func(backend.Invalidation) {
		close(entered)
		<-release
		mu.Lock()
		returned = true
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, "k", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	<-entered
	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	close(release)
	<-stopped
	mu.Lock()
	defer mu.Unlock()
	if !returned {
		t.Fatal("stop returned while the callback was still running")
	}
}

func TestSubscribeErrors(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		fn   func(backend.Invalidation)
		want error
	}{
		{"nil callback", t.Context(), nil, ErrNilCallback},
		{"cancelled context", cancelled, func(backend.Invalidation) {}, context.Canceled},
	}
	for _, tt := range tests {
		stop, err := b.SubscribeInvalidations(tt.ctx, "", tt.fn)
		if !errors.Is(err, tt.want) || stop != nil {
			t.Errorf("%s: SubscribeInvalidations = (stop %v, %v), want (nil, %v)", tt.name, stop != nil, err, tt.want)
		}
	}
}
