package reliability

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

func retryOnly(t *testing.T, f backend.Backend, r RetryOptions) Backend {
	t.Helper()
	opts := only(true, false, false)
	r.Disabled = false
	opts.Retry = r
	return mustNew(t, f, opts)
}

func TestRetryAttempts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     RetryOptions
		errs     []error // the backend's answers in turn, then success
		attempts int64
		wantErr  error
	}{
		{"success", RetryOptions{}, nil, 1, nil},
		{"transient always", RetryOptions{}, []error{errTransient, errTransient, errTransient, errTransient}, 3, errTransient},
		{"timeout always", RetryOptions{}, []error{errTimeout, errTimeout, errTimeout, errTimeout}, 3, errTimeout},
		{"transient then success", RetryOptions{}, []error{errTransient}, 2, nil},
		{"two failures then success", RetryOptions{}, []error{errTimeout, errTransient}, 3, nil},
		{"last failure is returned", RetryOptions{}, []error{errTimeout, errTimeout, errTransient}, 3, errTransient},
		{"retryable then permanent", RetryOptions{}, []error{errTransient, errPermanent}, 2, errPermanent},
		{"permanent", RetryOptions{}, []error{errPermanent}, 1, errPermanent},
		{"authentication", RetryOptions{}, []error{errAuth}, 1, errAuth},
		{"invalid ttl", RetryOptions{}, []error{errBadTTL}, 1, errBadTTL},
		{"not a backend error", RetryOptions{}, []error{errPlain}, 1, errPlain},
		{"canceled error is not retried", RetryOptions{},
			[]error{backend.ContextError("fake", "get", "k", context.Canceled)}, 1, context.Canceled},
		{"five attempts", RetryOptions{MaxAttempts: 5}, []error{errTransient, errTransient, errTransient, errTransient, errTransient, errTransient}, 5, errTransient},
		{"one attempt", RetryOptions{MaxAttempts: 1}, []error{errTransient}, 1, errTransient},
		{"disabled", RetryOptions{Disabled: true}, []error{errTransient}, 1, errTransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fake{respond: script(tc.errs...)}
				opts := only(true, false, false)
				opts.Retry = tc.opts
				b := mustNew(t, f, opts)
				_, _, err := b.Get(context.Background(), "k")
				if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("Get: %v, want %v", err, tc.wantErr)
				}
				if got := f.calls.Load(); got != tc.attempts {
					t.Fatalf("%d attempts, want %d", got, tc.attempts)
				}
				if got := b.Stats().Retries; got != uint64(tc.attempts-1) {
					t.Fatalf("Stats().Retries = %d, want %d", got, tc.attempts-1)
				}
			})
		})
	}
}

func TestRetryEveryOperation(t *testing.T) {
	// Each operation through the stack is retried; the capability ones are checked in
	// capabilities_test.go.
	ops := map[string]func(b Backend) error{
		"get":    func(b Backend) error { _, _, err := b.Get(context.Background(), "k"); return err },
		"set":    func(b Backend) error { return b.Set(context.Background(), "k", []byte("v"), time.Second) },
		"delete": func(b Backend) error { _, err := b.Delete(context.Background(), "k"); return err },
		"exists": func(b Backend) error { _, err := b.Exists(context.Background(), "k"); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fake{respond: script(errTransient, errTimeout)}
				b := retryOnly(t, f, RetryOptions{})
				if err := op(b); err != nil {
					t.Fatal(err)
				}
				if f.calls.Load() != 3 {
					t.Fatalf("%d attempts, want 3", f.calls.Load())
				}
			})
		})
	}
}

// sequence returns a Rand function that hands out us in turn.
func sequence(us ...float64) func() float64 {
	i := 0
	return func() float64 {
		u := us[i%len(us)]
		i++
		return u
	}
}

func TestRetryBackoffSchedule(t *testing.T) {
	// The waits between attempts, measured on the synctest clock, follow
	// 100 ms · 2^(n-1) · (0.5 + u) for the jitter draws u given to Rand.
	for _, tc := range []struct {
		name  string
		us    []float64
		waits []time.Duration
	}{
		{"lowest jitter", []float64{0, 0, 0, 0}, []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"no jitter", []float64{0.5}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"mixed", []float64{0.25, 0.75, 0.1, 0.9}, []time.Duration{75 * time.Millisecond, 250 * time.Millisecond, 240 * time.Millisecond, 1120 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var at []time.Time
				f := &fake{respond: func(context.Context, string) error {
					at = append(at, time.Now())
					return errTransient
				}}
				b := retryOnly(t, f, RetryOptions{MaxAttempts: len(tc.waits) + 1, Rand: sequence(tc.us...)})
				_ = get(b)
				if len(at) != len(tc.waits)+1 {
					t.Fatalf("%d attempts, want %d", len(at), len(tc.waits)+1)
				}
				for i, want := range tc.waits {
					if got := at[i+1].Sub(at[i]); got != want {
						t.Errorf("wait %d = %v, want %v", i+1, got, want)
					}
				}
			})
		})
	}
}

func TestBackoff(t *testing.T) {
	r := newRetrier(RetryOptions{BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay})
	for _, tc := range []struct {
		attempt int
		u       float64
		want    time.Duration
	}{
		{1, 0, 50 * time.Millisecond},
		{1, 0.5, 100 * time.Millisecond},
		{2, 0.25, 150 * time.Millisecond},
		{6, 0.5, 3200 * time.Millisecond},
		{7, 0, 3200 * time.Millisecond}, // 6.4 s · 0.5 is under the cap
		{7, 0.5, 5 * time.Second},       // 6.4 s is capped
		{8, 0, 5 * time.Second},         // 12.8 s · 0.5 is capped
		{100, 0.3, 5 * time.Second},
		{math.MaxInt, 0, 5 * time.Second},
		// Rand values outside [0, 1) are clamped.
		{1, -1, 50 * time.Millisecond},
		{1, math.NaN(), 50 * time.Millisecond},
		{1, 7, 150 * time.Millisecond},
		{1, math.Inf(1), 150 * time.Millisecond},
	} {
		r.rand = func() float64 { return tc.u }
		got := r.backoff(tc.attempt)
		if d := got - tc.want; d < -time.Nanosecond || d > time.Nanosecond {
			t.Errorf("backoff(%d) with u=%v = %v, want %v", tc.attempt, tc.u, got, tc.want)
		}
	}
}

func TestBackoffWithinJitterBounds(t *testing.T) {
	// Property: for any draw, the wait lies in [0.5, 1.5) times the doubled base delay,
	// and never above the cap.
	src := rand.New(rand.NewPCG(1, 2))
	for _, o := range []RetryOptions{
		{BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay},
		{BaseDelay: time.Nanosecond, MaxDelay: time.Duration(math.MaxInt64)},
		{BaseDelay: time.Second, MaxDelay: time.Second},
		{BaseDelay: 3 * time.Millisecond, MaxDelay: time.Hour},
	} {
		o.Rand = src.Float64
		r := newRetrier(o)
		for attempt := 1; attempt <= 80; attempt++ {
			exp := float64(o.BaseDelay) * math.Pow(2, float64(attempt-1))
			lo, hi := math.Min(exp*JitterMin, float64(o.MaxDelay)), math.Min(exp*JitterMax, float64(o.MaxDelay))
			for range 50 {
				w := float64(r.backoff(attempt))
				if w < lo*(1-1e-9)-1 || w > hi*(1+1e-9)+1 || w > float64(o.MaxDelay) {
					t.Fatalf("%+v: backoff(%d) = %v, want within [%v, %v]", o, attempt, time.Duration(w), time.Duration(lo), time.Duration(hi))
				}
			}
		}
	}
}

func TestRetryStopsWhenContextIsCanceledDuringTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{respond: always(errTransient)}
		b := retryOnly(t, f, RetryOptions{BaseDelay: time.Hour, MaxDelay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		done := make(chan error)
		go func() {
			_, _, err := b.Get(ctx, "k")
			done <- err
		}()
		synctest.Wait() // the call is waiting to retry
		time.Sleep(time.Minute)
		cancel()
		err := <-done
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want an error wrapping context.Canceled", err)
		}
		if !errors.Is(err, backend.ErrTransient) {
			t.Fatalf("got %v, want a transient backend error", err)
		}
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("the call returned after %v, want as soon as it was canceled (1m)", waited)
		}
		if f.calls.Load() != 1 {
			t.Fatalf("%d attempts, want 1", f.calls.Load())
		}
	})
}

func TestRetryDeadlineDuringTheWait(t *testing.T) {
	// With a deadline that passes during the wait the call stops at once with the
	// backend's failure; with one that leaves time for the wait it retries.
	for _, tc := range []struct {
		timeout  time.Duration
		attempts int64
		elapsed  time.Duration
	}{
		{50 * time.Millisecond, 1, 0},
		{100 * time.Millisecond, 1, 0},
		{101 * time.Millisecond, 2, 100 * time.Millisecond},
	} {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fake{respond: script(errTransient, errTransient)}
				b := retryOnly(t, f, RetryOptions{MaxAttempts: 2, Rand: func() float64 { return 0.5 }})
				ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
				defer cancel()
				start := time.Now()
				_, _, err := b.Get(ctx, "k")
				if !errors.Is(err, errTransient) {
					t.Fatalf("got %v, want the backend's error", err)
				}
				if f.calls.Load() != tc.attempts {
					t.Fatalf("%d attempts, want %d", f.calls.Load(), tc.attempts)
				}
				if e := time.Since(start); e != tc.elapsed {
					t.Fatalf("the call took %v, want %v", e, tc.elapsed)
				}
			})
		})
	}
}

func TestRetryNeverAfterContextIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &fake{respond: func(context.Context, string) error {
			cancel() // the caller gives up while the backend fails
			return errTimeout
		}}
		b := retryOnly(t, f, RetryOptions{})
		_, _, err := b.Get(ctx, "k")
		if !errors.Is(err, errTimeout) {
			t.Fatalf("got %v", err)
		}
		if f.calls.Load() != 1 {
			t.Fatalf("%d attempts after the context was done, want 1", f.calls.Load())
		}
	})
}

func TestRetryInsideBreaker(t *testing.T) {
	// The breaker sees one outcome per call, after the retries: five calls of three
	// failed attempts each open it.
	synctest.Test(t, func(t *testing.T) {
		f := &fake{respond: always(errTransient)}
		b := mustNew(t, f, only(true, true, false))
		for range 4 {
			_ = get(b)
		}
		wantState(t, b, StateClosed)
		_ = get(b)
		wantState(t, b, StateOpen)
		if f.calls.Load() != 15 {
			t.Fatalf("%d attempts, want 15", f.calls.Load())
		}
		if s := b.Stats(); s.Retries != 10 || s.Failures != 5 {
			t.Fatalf("stats = %+v, want 10 retries and 5 failures", s)
		}
	})
}
