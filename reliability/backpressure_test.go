package reliability

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

func backpressureOnly(t *testing.T, f backend.Backend, p BackpressureOptions) Backend {
	t.Helper()
	opts := only(false, false, true)
	opts.Backpressure = p
	return mustNew(t, f, opts)
}

// start runs a Get on b in a goroutine of wg and returns where its error will be.
func start(wg *sync.WaitGroup, b Backend, ctx context.Context) *error {
	var err error
	wg.Go(func() { _, _, err = b.Get(ctx, "k") })
	return &err
}

func wantShed(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrBackpressure) {
		t.Fatalf("got %v, want an error wrapping ErrBackpressure", err)
	}
	if !errors.Is(err, backend.ErrTransient) || !backend.IsRetryable(err) {
		t.Fatalf("backpressure error %v is not a transient backend error", err)
	}
}

func TestBackpressureConcurrencyLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		f := &fake{respond: g.respond}
		b := backpressureOnly(t, f, BackpressureOptions{MaxConcurrent: 3, MaxWait: time.Hour})
		var wg sync.WaitGroup
		var errs []*error
		for range 10 {
			errs = append(errs, start(&wg, b, context.Background()))
		}
		synctest.Wait()
		if n := f.running.Load(); n != 3 {
			t.Fatalf("%d calls running in the backend, want 3", n)
		}
		if s := b.Stats(); s.InFlight != 3 || s.Queued != 7 {
			t.Fatalf("stats = %+v, want 3 in flight and 7 queued", s)
		}
		g.open()
		wg.Wait()
		for i, err := range errs {
			if *err != nil {
				t.Errorf("call %d: %v", i, *err)
			}
		}
		if m := f.maxRunning.Load(); m != 3 {
			t.Fatalf("at most %d calls ran at once, want 3", m)
		}
		if s := b.Stats(); s.InFlight != 0 || s.Queued != 0 || s.Shed != 0 || s.Calls != 10 {
			t.Fatalf("stats = %+v", s)
		}
	})
}

func TestBackpressureDefaultLimit(t *testing.T) {
	// The default allows 100 calls at once and queues the rest.
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		f := &fake{respond: g.respond}
		b := backpressureOnly(t, f, BackpressureOptions{})
		var wg sync.WaitGroup
		for range 150 {
			start(&wg, b, context.Background())
		}
		synctest.Wait()
		if n := f.running.Load(); n != 100 {
			t.Fatalf("%d calls running, want 100", n)
		}
		if q := b.Stats().Queued; q != 50 {
			t.Fatalf("%d calls queued, want 50", q)
		}
		g.open()
		wg.Wait()
	})
}

func TestBackpressureQueueBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		f := &fake{respond: g.respond}
		b := backpressureOnly(t, f, BackpressureOptions{MaxConcurrent: 1, MaxQueue: 2, MaxWait: time.Hour})
		var wg sync.WaitGroup
		for range 3 { // one running, two queued
			start(&wg, b, context.Background())
		}
		synctest.Wait()
		now := time.Now()
		err := get(b)
		wantShed(t, err)
		if time.Since(now) != 0 {
			t.Fatal("a call finding the queue full waited")
		}
		if s := b.Stats(); s.Shed != 1 || s.Queued != 2 || f.calls.Load() != 1 {
			t.Fatalf("stats = %+v, backend calls %d", s, f.calls.Load())
		}
		g.open()
		wg.Wait()
		if f.calls.Load() != 3 {
			t.Fatalf("backend called %d times, want 3", f.calls.Load())
		}
	})
}

func TestBackpressureWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		f := &fake{respond: g.respond}
		b := backpressureOnly(t, f, BackpressureOptions{MaxConcurrent: 1})
		var wg sync.WaitGroup
		start(&wg, b, context.Background())
		synctest.Wait()
		begin := time.Now()
		err := get(b)
		wantShed(t, err)
		if waited := time.Since(begin); waited != 100*time.Millisecond {
			t.Fatalf("the call was shed after %v, want the default wait of 100ms", waited)
		}
		if s := b.Stats(); s.Shed != 1 || s.Queued != 0 {
			t.Fatalf("stats = %+v", s)
		}
		g.open()
		wg.Wait()
	})
}

func TestBackpressureQueuedCallProceedsWhenASlotFrees(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first := newGate()
		f := &fake{respond: first.respond}
		b := backpressureOnly(t, f, BackpressureOptions{MaxConcurrent: 1, MaxWait: time.Second})
		var wg sync.WaitGroup
		e1 := start(&wg, b, context.Background())
		synctest.Wait()
		f.respond = nil // the queued call succeeds at once when it runs
		e2 := start(&wg, b, context.Background())
		synctest.Wait()
		if q := b.Stats().Queued; q != 1 {
			t.Fatalf("%d calls queued, want 1", q)
		}
		time.Sleep(time.Second - time.Nanosecond) // just inside the wait
		first.open()
		wg.Wait()
		if *e1 != nil || *e2 != nil {
			t.Fatalf("errors %v, %v", *e1, *e2)
		}
		if f.calls.Load() != 2 || b.Stats().Shed != 0 {
			t.Fatalf("backend called %d times, stats %+v", f.calls.Load(), b.Stats())
		}
	})
}

// keyed records the keys of the Gets that reach it, in order.
type keyed struct {
	*fake
	mu   sync.Mutex
	keys []string
}

func (k *keyed) Get(ctx context.Context, key string) ([]byte, bool, error) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.fake.Get(ctx, key)
}

func TestBackpressureFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		k := &keyed{fake: &fake{respond: g.respond}}
		b := backpressureOnly(t, k, BackpressureOptions{MaxConcurrent: 1, MaxWait: time.Hour})
		var wg sync.WaitGroup
		wg.Go(func() { _, _, _ = b.Get(context.Background(), "running") })
		synctest.Wait()
		// Queue callers one at a time so that their arrival order is known.
		want := []string{"running", "a", "b", "c", "d", "e"}
		for _, key := range want[1:] {
			wg.Go(func() { _, _, _ = b.Get(context.Background(), key) })
			synctest.Wait()
		}
		g.open()
		wg.Wait()
		if len(k.keys) != len(want) {
			t.Fatalf("backend saw %v, want %v", k.keys, want)
		}
		for i := range want {
			if k.keys[i] != want[i] {
				t.Fatalf("backend saw %v, want %v", k.keys, want)
			}
		}
	})
}

func TestBackpressureContextCanceledWhileQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		f := &fake{respond: g.respond}
		b := backpressureOnly(t, f, BackpressureOptions{MaxConcurrent: 1, MaxWait: time.Hour})
		var wg sync.WaitGroup
		start(&wg, b, context.Background())
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		queued := start(&wg, b, ctx)
		synctest.Wait()
		cancel()
		synctest.Wait()
		if !errors.Is(*queued, context.Canceled) {
			t.Fatalf("queued call: %v, want an error wrapping context.Canceled", *queued)
		}
		if errors.Is(*queued, ErrBackpressure) {
			t.Fatalf("a canceled call was reported as shed: %v", *queued)
		}
		if s := b.Stats(); s.Shed != 0 || s.Queued != 0 || f.calls.Load() != 1 {
			t.Fatalf("stats = %+v, backend calls %d", s, f.calls.Load())
		}
		g.open()
		wg.Wait()
	})
}

func TestBackpressureSlotHeldAcrossRetries(t *testing.T) {
	// A call keeps its slot while it waits to retry, so a second call waits too.
	synctest.Test(t, func(t *testing.T) {
		f := &fake{respond: script(errTransient)}
		opts := only(true, false, true)
		opts.Retry.Rand = func() float64 { return 0.5 }
		opts.Backpressure = BackpressureOptions{MaxConcurrent: 1, MaxWait: time.Hour}
		b := mustNew(t, f, opts)
		var wg sync.WaitGroup
		e1 := start(&wg, b, context.Background())
		synctest.Wait() // waiting 100 ms to retry, holding the slot
		begin := time.Now()
		e2 := start(&wg, b, context.Background())
		wg.Wait()
		if *e1 != nil || *e2 != nil {
			t.Fatalf("errors %v, %v", *e1, *e2)
		}
		if waited := time.Since(begin); waited != 100*time.Millisecond {
			t.Fatalf("second call finished after %v, want 100ms", waited)
		}
		if f.maxRunning.Load() != 1 {
			t.Fatalf("%d calls ran at once", f.maxRunning.Load())
		}
	})
}
