package reliability

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// breakerOnly returns a breaker-only stack over f with the default thresholds, which
// the tests below spell out as numbers taken from DESIGN.md §4: 5 failures in 60 s,
// open 5 s, 3 probes, 3 successes.
func breakerOnly(t *testing.T, f *fake) Backend {
	t.Helper()
	return mustNew(t, f, only(false, true, false))
}

func get(b backend.Backend) error {
	_, _, err := b.Get(context.Background(), "k")
	return err
}

// failTimes makes n calls that the fake fails with err, and checks each reached it.
func failTimes(t *testing.T, b Backend, f *fake, n int, err error) {
	t.Helper()
	f.respond = always(err)
	for i := range n {
		before := f.calls.Load()
		if got := get(b); !errors.Is(got, err) {
			t.Fatalf("failing call %d: got %v, want %v", i+1, got, err)
		}
		if f.calls.Load() != before+1 {
			t.Fatalf("failing call %d did not reach the backend", i+1)
		}
	}
	f.respond = nil
}

func wantState(t *testing.T, b Backend, want State) {
	t.Helper()
	if got := b.Stats().State; got != want {
		t.Fatalf("state = %v, want %v", got, want)
	}
}

// wantRejected checks that a call fails fast with the circuit-open error without
// reaching the backend.
func wantRejected(t *testing.T, b Backend, f *fake) {
	t.Helper()
	before := f.calls.Load()
	err := get(b)
	if !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("got %v, want an error wrapping ErrCircuitOpen", err)
	}
	if !errors.Is(err, backend.ErrTransient) || !backend.IsRetryable(err) {
		t.Fatalf("circuit-open error %v is not a transient backend error", err)
	}
	if k, ok := backend.KindOf(err); !ok || k != backend.KindTransient {
		t.Fatalf("KindOf(%v) = %v, %v; want transient", err, k, ok)
	}
	if f.calls.Load() != before {
		t.Fatal("a call the open circuit rejected reached the backend")
	}
}

// openCircuit drives a fresh breaker to open with five failures.
func openCircuit(t *testing.T, b Backend, f *fake) {
	t.Helper()
	failTimes(t, b, f, 5, errTransient)
	wantState(t, b, StateOpen)
}

func TestBreakerOpensAfterFiveFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		failTimes(t, b, f, 4, errTransient)
		wantState(t, b, StateClosed)
		if err := get(b); err != nil {
			t.Fatalf("a closed circuit failed a healthy call: %v", err)
		}
		failTimes(t, b, f, 1, errTimeout) // timeouts count as well
		wantState(t, b, StateOpen)
		for range 3 {
			wantRejected(t, b, f)
		}
		s := b.Stats()
		if s.Rejected != 3 || s.Failures != 5 || s.Transitions != 1 || s.Calls != 9 {
			t.Fatalf("stats = %+v; want Rejected 3, Failures 5, Transitions 1, Calls 9", s)
		}
	})
}

func TestBreakerWindow(t *testing.T) {
	// One failure, a gap, then four more: the circuit opens only when the first
	// failure is still inside the 60 s window when the fifth happens.
	for _, tc := range []struct {
		gap  time.Duration
		want State
	}{
		{0, StateOpen},
		{59 * time.Second, StateOpen},
		{60*time.Second - time.Nanosecond, StateOpen},
		{60 * time.Second, StateClosed},
		{10 * time.Minute, StateClosed},
	} {
		t.Run(tc.gap.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fake{}
				b := breakerOnly(t, f)
				failTimes(t, b, f, 1, errTransient)
				time.Sleep(tc.gap)
				failTimes(t, b, f, 4, errTransient)
				wantState(t, b, tc.want)
			})
		})
	}
}

func TestBreakerRollingWindowSlides(t *testing.T) {
	// Failures every 20 s: at most three fall within any 60 s window, so the circuit
	// never opens, however many there are.
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		for range 10 { // at t = 0, 20, ..., 180 s
			failTimes(t, b, f, 1, errTransient)
			time.Sleep(20 * time.Second)
		}
		wantState(t, b, StateClosed)
		// At t = 200 s the failures at 160 and 180 s are in the window and the one at
		// 140 s is exactly 60 s old, so out: two more make four.
		failTimes(t, b, f, 2, errTransient)
		wantState(t, b, StateClosed)
		failTimes(t, b, f, 1, errTransient)
		wantState(t, b, StateOpen)
	})
}

func TestBreakerOpenToHalfOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		openCircuit(t, b, f)
		time.Sleep(5*time.Second - time.Millisecond)
		wantRejected(t, b, f)
		wantState(t, b, StateOpen)
		time.Sleep(time.Millisecond)
		wantState(t, b, StateHalfOpen)
		if err := get(b); err != nil {
			t.Fatalf("probe: %v", err)
		}
		wantState(t, b, StateHalfOpen) // one success of three
	})
}

func TestBreakerHalfOpenProbeLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		openCircuit(t, b, f)
		time.Sleep(5 * time.Second)

		g := newGate()
		f.respond = g.respond
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() { errs[i] = get(b) })
		}
		synctest.Wait() // three probes are blocked in the backend
		if n := f.running.Load(); n != 3 {
			t.Fatalf("%d probes running, want 3", n)
		}
		wantRejected(t, b, f) // the fourth concurrent probe
		g.open()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("probe %d: %v", i, err)
			}
		}
		wantState(t, b, StateClosed)
		if f.maxRunning.Load() != 3 {
			t.Fatalf("at most %d calls ran at once, want 3", f.maxRunning.Load())
		}
	})
}

func TestBreakerHalfOpenClosesAfterThreeSuccesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		openCircuit(t, b, f)
		time.Sleep(5 * time.Second)
		for i := range 3 {
			wantState(t, b, StateHalfOpen)
			if err := get(b); err != nil {
				t.Fatalf("probe %d: %v", i+1, err)
			}
		}
		wantState(t, b, StateClosed)
		// The failures that opened the circuit are forgotten: four new ones keep it closed.
		failTimes(t, b, f, 4, errTransient)
		wantState(t, b, StateClosed)
	})
}

func TestBreakerHalfOpenReopensOnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		openCircuit(t, b, f)
		time.Sleep(5 * time.Second)
		if err := get(b); err != nil {
			t.Fatalf("probe: %v", err)
		}
		failTimes(t, b, f, 1, errTimeout)
		wantState(t, b, StateOpen)
		wantRejected(t, b, f)
		// A full open duration again, counted from the failed probe.
		time.Sleep(5*time.Second - time.Nanosecond)
		wantRejected(t, b, f)
		time.Sleep(time.Nanosecond)
		wantState(t, b, StateHalfOpen)
	})
}

func TestBreakerIgnoresOutcomesThatAreNotOutages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(context.Context, string) error
		cancel  bool // the caller cancels its context during the call
	}{
		{"success", nil, false},
		{"permanent", always(errPermanent), false},
		{"authentication", always(errAuth), false},
		{"invalid ttl", always(errBadTTL), false},
		{"not a backend error", always(errPlain), false},
		{"canceled during the call", nil, true},
		{"canceled, backend reports transient", always(errTransient), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fake{respond: tc.respond}
				b := breakerOnly(t, f)
				for range 20 {
					ctx, cancel := context.WithCancel(context.Background())
					if tc.cancel {
						inner := f.respond
						f.respond = func(c context.Context, op string) error {
							cancel()
							if inner != nil {
								return inner(c, op)
							}
							return backend.ContextError("fake", op, "k", c.Err())
						}
						_, _, _ = b.Get(ctx, "k")
						f.respond = inner
					} else {
						_, _, _ = b.Get(ctx, "k")
					}
					cancel()
				}
				wantState(t, b, StateClosed)
				if s := b.Stats(); s.Failures != 0 || s.Transitions != 0 {
					t.Fatalf("stats = %+v, want no failures and no transitions", s)
				}
				if f.calls.Load() != 20 {
					t.Fatalf("backend called %d times, want 20", f.calls.Load())
				}
			})
		})
	}
}

func TestBreakerMissesDoNotCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &missing{}
		b := mustNew(t, m, only(false, true, false))
		for range 20 {
			if _, found, err := b.Get(context.Background(), "absent"); err != nil || found {
				t.Fatalf("Get = found %v, err %v; want a miss", found, err)
			}
		}
		wantState(t, b, StateClosed)
	})
}

// missing is a backend where every key is absent.
type missing struct{ fake }

func (m *missing) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return nil, false, m.do(ctx, "get")
}

func TestBreakerContextDoneBeforeCallIsNotAttempted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{respond: always(errTransient)}
		b := breakerOnly(t, f)
		for _, mk := range []func() (context.Context, context.CancelFunc){
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), 0) },
		} {
			ctx, cancel := mk()
			cancel()
			for range 10 {
				_, _, err := b.Get(ctx, "k")
				if !errors.Is(err, ctx.Err()) {
					t.Fatalf("got %v, want an error wrapping %v", err, ctx.Err())
				}
			}
		}
		if f.calls.Load() != 0 {
			t.Fatalf("backend called %d times with a done context", f.calls.Load())
		}
		wantState(t, b, StateClosed)
	})
}

func TestBreakerStaleOutcomeIsIgnored(t *testing.T) {
	// A call admitted while the circuit was closed, and still running when the circuit
	// opens and turns half-open, must not reopen it when it finally fails.
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		b := breakerOnly(t, f)
		g := newGate()
		g.err = errTransient
		f.respond = g.respond
		done := make(chan error)
		go func() { done <- get(b) }()
		synctest.Wait()

		f.respond = nil
		openCircuit(t, b, f)
		time.Sleep(5 * time.Second)
		if err := get(b); err != nil { // first probe
			t.Fatalf("probe: %v", err)
		}
		g.open()
		if err := <-done; !errors.Is(err, errTransient) {
			t.Fatalf("slow call: %v", err)
		}
		wantState(t, b, StateHalfOpen)
		for range 2 {
			if err := get(b); err != nil {
				t.Fatalf("probe: %v", err)
			}
		}
		wantState(t, b, StateClosed)
	})
}

func TestBreakerOnStateChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type change struct{ from, to State }
		var got []change
		f := &fake{}
		opts := only(false, true, false)
		var b Backend
		opts.OnStateChange = func(from, to State) {
			got = append(got, change{from, to})
			_ = b.Stats() // the hook may read Stats without deadlock
		}
		b = mustNew(t, f, opts)
		openCircuit(t, b, f)
		time.Sleep(5 * time.Second)
		_ = get(b)
		failTimes(t, b, f, 1, errTransient)
		time.Sleep(5 * time.Second)
		for range 3 {
			_ = get(b)
		}
		want := []change{
			{StateClosed, StateOpen},
			{StateOpen, StateHalfOpen},
			{StateHalfOpen, StateOpen},
			{StateOpen, StateHalfOpen},
			{StateHalfOpen, StateClosed},
		}
		if len(got) != len(want) {
			t.Fatalf("transitions %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("transitions %v, want %v", got, want)
			}
		}
		if s := b.Stats(); s.Transitions != uint64(len(want)) {
			t.Fatalf("Stats().Transitions = %d, want %d", s.Transitions, len(want))
		}
	})
}

func TestBreakerCustomThresholds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		opts := only(false, true, false)
		opts.Breaker = BreakerOptions{FailureThreshold: 1, OpenDuration: time.Minute, HalfOpenProbes: 1, SuccessThreshold: 1}
		b := mustNew(t, f, opts)
		failTimes(t, b, f, 1, errTransient)
		wantState(t, b, StateOpen)
		time.Sleep(59 * time.Second)
		wantRejected(t, b, f)
		time.Sleep(time.Second)
		if err := get(b); err != nil {
			t.Fatal(err)
		}
		wantState(t, b, StateClosed)
	})
}

func TestBreakerDisabled(t *testing.T) {
	f := &fake{respond: always(errTransient)}
	b := mustNew(t, f, only(false, false, false))
	for range 50 {
		_ = get(b)
	}
	if f.calls.Load() != 50 {
		t.Fatalf("backend called %d times, want 50", f.calls.Load())
	}
	if s := b.Stats(); s.State != StateClosed || s.Failures != 50 || s.Rejected != 0 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateClosed: "closed", StateOpen: "open", StateHalfOpen: "half-open", 7: "State(7)"} {
		if got := s.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", s, got, want)
		}
	}
}

func TestBreakerConcurrentCallsKeepItsBooks(t *testing.T) {
	// Many goroutines with mixed outcomes while the clock moves through every state: at
	// the end no probe slot is left taken, and the counters add up.
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int64
		f := &fake{respond: func(ctx context.Context, _ string) error {
			i := n.Add(1)
			time.Sleep(time.Duration(i%7) * 300 * time.Millisecond)
			switch i % 5 {
			case 0, 1:
				return errTransient
			case 2:
				return errPermanent
			}
			return nil
		}}
		b := mustNew(t, f, only(false, true, true))
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 200 {
					_ = get(b)
				}
			})
		}
		wg.Wait()
		s := b.Stats()
		if s.Transitions == 0 || s.Rejected == 0 {
			t.Fatalf("stats = %+v; the run never exercised the breaker", s)
		}
		if s.Calls != 16*200 || uint64(f.calls.Load())+s.Rejected+s.Shed != s.Calls {
			t.Fatalf("stats = %+v, backend calls %d: the counts do not add up", s, f.calls.Load())
		}
		br := coreOf(b).breaker
		br.mu.Lock()
		defer br.mu.Unlock()
		if br.probes != 0 {
			t.Fatalf("%d probe slots still taken with no call running", br.probes)
		}
	})
}

// self gives tests the core behind any wrapper type (promoted through the embedded
// *core).
func (c *core) self() *core { return c }

// coreOf returns the core of a wrapper made by New.
func coreOf(b Backend) *core {
	return b.(interface{ self() *core }).self()
}
