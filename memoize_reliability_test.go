package cachekit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/reliability"
)

func TestReliabilityWiring(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		o       Options
		wrapped bool
	}{
		{"zero Options: off", Options{}, false},
		{"minimal preset: off", MinimalOptions(), false},
		{"production preset: on", ProductionOptions(), true},
		{"secure preset: on", SecureOptions(testKeyA), true},
		{"explicit", Options{Reliability: &reliability.Options{}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, fb := newFakeClient(t, tt.o)
			_, isWrapper := c.Backend().(reliability.Backend)
			s := c.Stats()
			if isWrapper != tt.wrapped || (s.Reliability != nil) != tt.wrapped {
				t.Fatalf("wrapped = %v, Stats().Reliability = %v; want %v", isWrapper, s.Reliability, tt.wrapped)
			}
			// Capabilities stay visible through the wrapper: fakeBackend has TTL.
			ctx := context.Background()
			if err := c.Set(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			if ttl, found, err := c.TTL(ctx, "k"); err != nil || !found || ttl <= 0 {
				t.Errorf("TTL through the wrapper = %v, %v, %v", ttl, found, err)
			}
			if _, ok := c.Backend().(backend.Locker); ok {
				t.Error("the wrapper claims a Locker the backend does not have")
			}
			if tt.wrapped {
				if s := c.Stats().Reliability; s.State != reliability.StateClosed || s.Calls < 2 {
					t.Errorf("Stats().Reliability = %+v, want closed and counting", s)
				}
			}
			if fb.sets.Load() != 1 {
				t.Errorf("backend sets = %d", fb.sets.Load())
			}
		})
	}

	t.Run("a wrapped backend is not wrapped again", func(t *testing.T) {
		t.Parallel()
		mem, err := memory.New(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = mem.Close() })
		rb, err := reliability.New(mem, reliability.Options{})
		if err != nil {
			t.Fatal(err)
		}
		o := ProductionOptions()
		o.Backend = rb
		c := newClient(t, o)
		if c.Backend() != rb {
			t.Error("the client wrapped a reliability.Backend again")
		}
		if _, ok := c.Backend().(backend.Locker); !ok {
			t.Error("the memory backend's Locker is not visible")
		}
		if c.Stats().Reliability == nil {
			t.Error("no reliability stats for a backend wrapped by the caller")
		}
	})

	t.Run("invalid reliability options", func(t *testing.T) {
		t.Parallel()
		_, err := New(Options{Env: noEnv, Reliability: &reliability.Options{Retry: reliability.RetryOptions{MaxAttempts: -1}}})
		wantKind(t, err, KindConfig)
		if !errors.Is(err, reliability.ErrInvalidOptions) {
			t.Errorf("err = %v, want reliability.ErrInvalidOptions", err)
		}
	})

	t.Run("the owned memory backend is still closed", func(t *testing.T) {
		t.Parallel()
		c, err := New(Options{Env: noEnv, Reliability: &reliability.Options{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.owned.Get(context.Background(), "k"); err == nil {
			t.Error("the memory backend the client created still answers after Close")
		}
	})
}

// TestBreakerErrorsAndFailOpen drives the breaker open with a failing backend and
// checks the error kinds the client returns and that a memoized function still answers.
func TestBreakerErrorsAndFailOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var transitions []string
	o := ProductionOptions()
	o.Reliability.Retry.Disabled = true
	o.Reliability.Breaker.FailureThreshold = 2
	o.Reliability.Breaker.OpenDuration = time.Hour
	o.Reliability.OnStateChange = func(from, to reliability.State) {
		mu.Lock()
		transitions = append(transitions, from.String()+"->"+to.String())
		mu.Unlock()
	}
	o.Logger = slog.New(slog.DiscardHandler)
	o.MasterKey = Secret(testKeyA)
	o.Namespace = "app"
	c, fb := newFakeClient(t, o)
	fb.fail(transientFailure("get"), nil, nil)
	var loads atomic.Int64
	get := mustMemoize1(t, c, "op", double(&loads))

	for range 2 {
		_, _, err := Get[string](ctx, c, "k")
		wantKind(t, err, KindBackendTransient)
	}
	_, _, err := Get[string](ctx, c, "k")
	wantKind(t, err, KindBackendCircuitOpen)
	if !errors.Is(err, reliability.ErrCircuitOpen) {
		t.Errorf("err = %v, want reliability.ErrCircuitOpen in the chain", err)
	}
	if s := c.Stats(); s.Reliability.State != reliability.StateOpen || s.Errors[KindBackendCircuitOpen] != 1 {
		t.Errorf("Stats = %+v / %+v", s.Errors, s.Reliability)
	}
	mu.Lock()
	if len(transitions) != 1 || transitions[0] != "closed->open" {
		t.Errorf("OnStateChange saw %v", transitions)
	}
	mu.Unlock()

	// The memoized function runs uncached while the circuit is open.
	for i := range 5 {
		if v, err := get(ctx, i); err != nil || v != 2*i {
			t.Fatalf("memoized call with the circuit open = %v, %v", v, err)
		}
	}
	if s := c.Stats().Memo; s.Uncached != 5 || s.LoaderRuns != 5 {
		t.Errorf("Stats().Memo = %+v", s)
	}
	// The secure memoizer fails closed with the typed error.
	sget := mustMemoize1(t, c, "sop", double(&loads), MemoSecure())
	if _, err := sget(ctx, 1); err == nil {
		t.Error("secure memoizer answered with the circuit open")
	} else {
		wantKind(t, err, KindBackendCircuitOpen)
	}
}

// blockingBackend holds every Get until release is closed.
type blockingBackend struct {
	*fakeBackend
	entered chan struct{}
	release chan struct{}
}

func (b *blockingBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.fakeBackend.Get(ctx, key)
}

func TestBackpressureErrorKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bb := &blockingBackend{fakeBackend: newFakeBackend(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	o := ProductionOptions()
	o.Backend = bb
	o.Reliability.Backpressure = reliability.BackpressureOptions{MaxConcurrent: 1, MaxQueue: 1, MaxWait: time.Millisecond}
	c := newClient(t, o)
	done := make(chan error, 1)
	go func() {
		_, _, err := Get[string](ctx, c, "held")
		done <- err
	}()
	<-bb.entered // the only slot is taken
	_, _, err := Get[string](ctx, c, "shed")
	wantKind(t, err, KindBackendBackpressure)
	if !errors.Is(err, reliability.ErrBackpressure) {
		t.Errorf("err = %v, want reliability.ErrBackpressure in the chain", err)
	}
	if s := c.Stats().Reliability; s.Shed != 1 {
		t.Errorf("Shed = %d", s.Shed)
	}
	close(bb.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
