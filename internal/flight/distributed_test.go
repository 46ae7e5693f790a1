package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

const sharedKey = "app:get_user:42"

// valueTTL outlives every wait in these tests, however far they move the clock.
const valueTTL = 1000 * time.Hour

// fleet is a memory backend shared by several Groups, each standing for a process,
// with check and load functions that read and write the backend as Memoize does.
type fleet struct {
	t       *testing.T
	backend *memory.Backend
	loads   atomic.Int32
	// release, when not nil, holds every load until it is closed.
	release chan struct{}
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	b, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatalf("memory.New: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return &fleet{t: t, backend: b}
}

// process returns a Group locking with the fleet's backend, woken by its invalidations
// when invalidate is true.
func (f *fleet) process(opts Options, invalidate bool) *Group[string] {
	opts.Locker = f.backend
	if invalidate {
		opts.Invalidator = f.backend
		opts.InvalidationPrefix = "app:"
	}
	return newGroup[string](f.t, opts)
}

func (f *fleet) check(ctx context.Context) (string, bool, error) {
	v, found, err := f.backend.Get(ctx, sharedKey)
	return string(v), found, err
}

func (f *fleet) load(ctx context.Context) (string, error) {
	f.loads.Add(1)
	if f.release != nil {
		<-f.release
	}
	if err := f.backend.Set(ctx, sharedKey, []byte("user 42"), valueTTL); err != nil {
		return "", err
	}
	return "user 42", nil
}

func sum(groups []*Group[string], field func(Stats) uint64) uint64 {
	var n uint64
	for _, g := range groups {
		n += field(g.Stats())
	}
	return n
}

func TestDoRunsOneLoadAcrossProcesses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		invalidate bool
	}{
		{"followers poll", false},
		{"followers woken by invalidation", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const processes, callers = 4, 25
				f := newFleet(t)
				f.release = make(chan struct{})
				var groups []*Group[string]
				var outcomes []<-chan outcome[string]
				for range processes {
					g := f.process(Options{}, tc.invalidate)
					groups = append(groups, g)
					for range callers {
						outcomes = append(outcomes, doAsync(t.Context(), g, sharedKey, f.check, f.load))
					}
				}
				synctest.Wait() // one process loads; the others wait for it
				close(f.release)
				for _, ch := range outcomes {
					if o := <-ch; o.err != nil || o.value != "user 42" {
						t.Fatalf("Do = %q, %v; want user 42, nil", o.value, o.err)
					}
				}
				if n := f.loads.Load(); n != 1 {
					t.Errorf("load ran %d times across %d processes, want 1", n, processes)
				}
				if n := sum(groups, func(s Stats) uint64 { return s.LockContested }); n != processes-1 {
					t.Errorf("LockContested summed to %d, want %d", n, processes-1)
				}
				if n := sum(groups, func(s Stats) uint64 { return s.Found }); n != processes-1 {
					t.Errorf("Found summed to %d, want %d", n, processes-1)
				}
				if n := sum(groups, func(s Stats) uint64 { return s.WaitTimeouts }); n != 0 {
					t.Errorf("WaitTimeouts summed to %d, want 0", n)
				}
				synctest.Wait() // the lock is released after the callers have their result
				if held, _ := f.backend.Exists(t.Context(), backend.LockKey(sharedKey)); held {
					t.Error("the lock is still held after every flight ended")
				}
			})
		})
	}
}

func TestFollowerWakes(t *testing.T) {
	const poll = time.Hour // far longer than any wake by invalidation
	for _, tc := range []struct {
		name       string
		invalidate bool // the group subscribes itself
		forward    bool // the test forwards invalidations to Notify
		// wantWoken: the follower gets the value before its first poll tick.
		wantWoken bool
	}{
		{"by invalidation", true, false, true},
		{"by a forwarded invalidation", false, true, true},
		{"by polling", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFleet(t)
				f.release = make(chan struct{})
				opts := Options{LockTimeout: 10 * poll, PollInterval: poll, MaxPollInterval: poll}
				leader := f.process(opts, false)
				follower := f.process(opts, tc.invalidate)
				if tc.forward {
					stop, err := f.backend.SubscribeInvalidations(t.Context(), "app:", func(ev backend.Invalidation) {
						follower.Notify(ev.Key)
					})
					if err != nil {
						t.Fatal(err)
					}
					defer stop()
				}
				lead := doAsync(t.Context(), leader, sharedKey, f.check, f.load)
				synctest.Wait()
				follow := doAsync(t.Context(), follower, sharedKey, f.check, f.load)
				synctest.Wait()

				start := time.Now()
				close(f.release)
				if o := <-lead; o.err != nil || o.shared {
					t.Fatalf("leader: %+v, want its own value", o)
				}
				o := <-follow
				if o.err != nil || o.value != "user 42" || !o.shared {
					t.Fatalf("follower: %+v, want the leader's value, shared", o)
				}
				// The bubble's clock only moves when every goroutine waits, so the
				// follower's elapsed time tells whether a poll tick woke it.
				elapsed := time.Since(start)
				firstTick := time.Duration(0.8 * float64(poll))
				if woken := elapsed < firstTick; woken != tc.wantWoken {
					t.Errorf("follower got the value after %v; want before the first poll tick (>= %v): %v", elapsed, firstTick, tc.wantWoken)
				}
				if n := f.loads.Load(); n != 1 {
					t.Errorf("load ran %d times, want 1", n)
				}
			})
		})
	}
}

func TestDeadLockHolder(t *testing.T) {
	for _, tc := range []struct {
		name        string
		lockTimeout time.Duration
		waitTimeout time.Duration
		// The number of loads is in [minLoads, maxLoads]. When the lock expires, one
		// follower takes it and the others find its value. When the waits time out,
		// which happens at the same instant in every process, each follower loads
		// unless another's write reaches it first.
		minLoads, maxLoads int32
		// timedOut: every load followed a wait timeout; otherwise none timed out.
		timedOut bool
		// notBefore: no load may start before this much time has passed.
		notBefore time.Duration
	}{
		{"the lock expires first", 5 * time.Second, 10 * time.Second, 1, 1, false, 5 * time.Second},
		{"the wait times out first", 10 * time.Second, 3 * time.Second, 1, 3, true, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, invalidate := range []bool{false, true} {
				synctest.Test(t, func(t *testing.T) {
					const processes = 3
					f := newFleet(t)
					// A process takes the lock and dies: it never writes nor releases.
					if _, ok, err := f.backend.AcquireLock(t.Context(), sharedKey, tc.lockTimeout); !ok || err != nil {
						t.Fatalf("AcquireLock = %v, %v", ok, err)
					}
					start := time.Now()
					var mu sync.Mutex
					var firstLoad time.Time
					load := func(ctx context.Context) (string, error) {
						mu.Lock()
						if firstLoad.IsZero() {
							firstLoad = time.Now()
						}
						mu.Unlock()
						return f.load(ctx)
					}
					var groups []*Group[string]
					var outcomes []<-chan outcome[string]
					for range processes {
						g := f.process(Options{LockTimeout: tc.lockTimeout, WaitTimeout: tc.waitTimeout}, invalidate)
						groups = append(groups, g)
						outcomes = append(outcomes, doAsync(t.Context(), g, sharedKey, f.check, load))
					}
					for _, ch := range outcomes {
						if o := <-ch; o.err != nil || o.value != "user 42" {
							t.Fatalf("Do = %q, %v; want user 42, nil", o.value, o.err)
						}
					}
					loads := f.loads.Load()
					if loads < tc.minLoads || loads > tc.maxLoads {
						t.Errorf("invalidate=%v: load ran %d times, want %d to %d", invalidate, loads, tc.minLoads, tc.maxLoads)
					}
					wantTimeouts := uint64(0)
					if tc.timedOut {
						wantTimeouts = uint64(loads)
					}
					if n := sum(groups, func(s Stats) uint64 { return s.WaitTimeouts }); n != wantTimeouts {
						t.Errorf("invalidate=%v: WaitTimeouts summed to %d, want %d", invalidate, n, wantTimeouts)
					}
					if waited := firstLoad.Sub(start); waited < tc.notBefore {
						t.Errorf("invalidate=%v: the first load started after %v, want >= %v", invalidate, waited, tc.notBefore)
					}
				})
			}
		})
	}
}

func TestFailedHolderLetsAFollowerLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		opts := Options{LockTimeout: time.Minute}
		holder, follower := f.process(opts, true), f.process(opts, true)
		release := make(chan struct{})
		errLoad := errors.New("database unavailable")
		lead := doAsync(t.Context(), holder, sharedKey, f.check, func(context.Context) (string, error) {
			f.loads.Add(1)
			<-release
			return "", errLoad
		})
		synctest.Wait()
		follow := doAsync(t.Context(), follower, sharedKey, f.check, f.load)
		synctest.Wait()
		start := time.Now()
		close(release)
		if o := <-lead; !errors.Is(o.err, errLoad) {
			t.Fatalf("holder: %v, want its load's error", o.err)
		}
		if o := <-follow; o.err != nil || o.value != "user 42" || o.shared {
			t.Fatalf("follower: %+v, want its own load's value", o)
		}
		if n := f.loads.Load(); n != 2 {
			t.Errorf("load ran %d times, want 2 (the failed one, then the follower's)", n)
		}
		// The released lock is noticed at a poll tick, long before the lock would expire.
		if waited := time.Since(start); waited >= opts.LockTimeout {
			t.Errorf("follower waited %v, want less than the lock's lifetime %v", waited, opts.LockTimeout)
		}
		if s := follower.Stats(); s.WaitTimeouts != 0 || s.LockAcquired != 1 {
			t.Errorf("follower Stats = %+v, want LockAcquired 1 and no timeout", s)
		}
	})
}

func TestHolderRechecksAfterTakingTheLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		g := f.process(Options{}, false)
		// Another process stored the value after this one's cache read missed.
		if err := f.backend.Set(t.Context(), sharedKey, []byte("user 42"), valueTTL); err != nil {
			t.Fatal(err)
		}
		v, shared, err := g.Do(t.Context(), sharedKey, f.check, f.load)
		if v != "user 42" || !shared || err != nil {
			t.Errorf("Do = %q, %v, %v; want user 42 from the cache, shared", v, shared, err)
		}
		if n := f.loads.Load(); n != 0 {
			t.Errorf("load ran %d times, want 0", n)
		}
		synctest.Wait() // the lock is released after the callers have their result
		if held, _ := f.backend.Exists(t.Context(), backend.LockKey(sharedKey)); held {
			t.Error("the lock taken for the recheck was not released")
		}
		if s := g.Stats(); s.Found != 1 || s.LockAcquired != 1 || s.Loads != 0 {
			t.Errorf("Stats = %+v, want Found 1, LockAcquired 1, Loads 0", s)
		}
	})
}

func TestCheckErrorsAndPanicsReachCallers(t *testing.T) {
	errRead := errors.New("value corrupt")
	for _, tc := range []struct {
		name  string
		check CheckFunc[string]
		want  error
	}{
		{"error", func(context.Context) (string, bool, error) { return "", false, errRead }, errRead},
		{"panic", func(context.Context) (string, bool, error) { panic("check bug") }, ErrPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, holder := range []bool{true, false} {
				synctest.Test(t, func(t *testing.T) {
					f := newFleet(t)
					g := f.process(Options{}, false)
					if !holder {
						if _, ok, err := f.backend.AcquireLock(t.Context(), sharedKey, time.Minute); !ok || err != nil {
							t.Fatalf("AcquireLock = %v, %v", ok, err)
						}
					}
					if _, _, err := g.Do(t.Context(), sharedKey, tc.check, f.load); !errors.Is(err, tc.want) {
						t.Errorf("holder=%v: Do = %v, want %v", holder, err, tc.want)
					}
					if n := f.loads.Load(); n != 0 {
						t.Errorf("holder=%v: load ran %d times after a failed check, want 0", holder, n)
					}
					synctest.Wait() // the lock is released after the callers have their result
					if held, _ := f.backend.Exists(t.Context(), backend.LockKey(sharedKey)); held == holder {
						t.Errorf("holder=%v: lock held = %v after Do", holder, held)
					}
				})
			}
		})
	}
}

func TestLoadOutlivingTheLockIsCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		g := f.process(Options{LockTimeout: time.Second, LoadTimeout: time.Minute}, false)
		_, _, err := g.Do(t.Context(), sharedKey, f.check, func(ctx context.Context) (string, error) {
			time.Sleep(2 * time.Second) // longer than the lock lives
			return f.load(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the release follows the result
		if s := g.Stats(); s.LockLost != 1 || s.ReleaseErrors != 0 {
			t.Errorf("Stats = %+v, want LockLost 1 and no release error", s)
		}
	})
}

func TestCloseEndsAWaitingFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		g := f.process(Options{LockTimeout: time.Hour}, true)
		if _, ok, err := f.backend.AcquireLock(t.Context(), sharedKey, time.Hour); !ok || err != nil {
			t.Fatalf("AcquireLock = %v, %v", ok, err)
		}
		ch := doAsync(t.Context(), g, sharedKey, f.check, f.load)
		synctest.Wait()
		_ = g.Close()
		if o := <-ch; !errors.Is(o.err, ErrClosed) {
			t.Errorf("Do = %v, want ErrClosed", o.err)
		}
		if n := f.loads.Load(); n != 0 {
			t.Errorf("load ran %d times, want 0", n)
		}
	})
}

// faultyLocker is a backend.Locker and backend.Invalidator whose calls fail as told.
type faultyLocker struct {
	acquireErr, releaseErr, subscribeErr error
	// hang makes AcquireLock block until its context ends.
	hang bool
}

func (l *faultyLocker) AcquireLock(ctx context.Context, key string, _ time.Duration) (string, bool, error) {
	if l.hang {
		<-ctx.Done()
		return "", false, backend.ContextError("fake", "acquire_lock", key, ctx.Err())
	}
	if l.acquireErr != nil {
		return "", false, l.acquireErr
	}
	return "lock-1", true, nil
}

func (l *faultyLocker) ReleaseLock(context.Context, string, string) (bool, error) {
	return l.releaseErr == nil, l.releaseErr
}

func (l *faultyLocker) SubscribeInvalidations(context.Context, string, func(backend.Invalidation)) (func(), error) {
	if l.subscribeErr != nil {
		return nil, l.subscribeErr
	}
	return func() {}, nil
}

func TestCoordinationFailuresFailOpen(t *testing.T) {
	down := backend.NewError(backend.KindTransient, "fake", "op", sharedKey, errors.New("connection refused"))
	for _, tc := range []struct {
		name      string
		locker    *faultyLocker
		wantOp    string // "" when nothing is reported
		wantStats Stats
	}{
		{"acquire fails", &faultyLocker{acquireErr: down}, "acquire_lock",
			Stats{Loads: 1, LockErrors: 1}},
		{"release fails", &faultyLocker{releaseErr: down}, "release_lock",
			Stats{Loads: 1, LockAcquired: 1, ReleaseErrors: 1}},
		{"acquire hangs past the wait timeout", &faultyLocker{hang: true}, "",
			Stats{Loads: 1, WaitTimeouts: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reports := make(chan error, 10)
				g := newGroup[string](t, Options{Locker: tc.locker, OnError: func(err error) { reports <- err }})
				v, _, err := g.Do(t.Context(), sharedKey, nil, func(context.Context) (string, error) { return "computed", nil })
				if v != "computed" || err != nil {
					t.Fatalf("Do = %q, %v; want the load's value despite the backend", v, err)
				}
				// The lock is released after the callers have their result; Close
				// waits for that.
				_ = g.Close()
				close(reports)
				var reported []error
				for err := range reports {
					reported = append(reported, err)
				}
				if s := g.Stats(); s != tc.wantStats {
					t.Errorf("Stats = %+v, want %+v", s, tc.wantStats)
				}
				if tc.wantOp == "" {
					if len(reported) != 0 {
						t.Errorf("OnError got %v, want nothing", reported)
					}
					return
				}
				if len(reported) != 1 {
					t.Fatalf("OnError called %d times, want 1", len(reported))
				}
				var ce *CoordinationError
				if !errors.As(reported[0], &ce) || ce.Op != tc.wantOp || ce.Key != sharedKey {
					t.Errorf("OnError got %v, want a *CoordinationError for %s %q", reported[0], tc.wantOp, sharedKey)
				}
				if !errors.Is(reported[0], ErrCoordination) || !errors.Is(reported[0], backend.ErrTransient) {
					t.Errorf("OnError got %v, want it to match ErrCoordination and backend.ErrTransient", reported[0])
				}
			})
		})
	}
}

func TestFailedSubscriptionFallsBackToPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		var reported atomic.Int32
		follower := newGroup[string](t, Options{
			Locker:      f.backend,
			Invalidator: &faultyLocker{subscribeErr: errors.New("pub/sub refused")},
			OnError: func(err error) {
				var ce *CoordinationError
				if errors.As(err, &ce) && ce.Op == "subscribe_invalidations" {
					reported.Add(1)
				}
			},
		})
		if _, ok, err := f.backend.AcquireLock(t.Context(), sharedKey, time.Minute); !ok || err != nil {
			t.Fatalf("AcquireLock = %v, %v", ok, err)
		}
		follow := doAsync(t.Context(), follower, sharedKey, f.check, f.load)
		synctest.Wait()
		// The holder writes but never releases; only polling can find the value.
		if err := f.backend.Set(t.Context(), sharedKey, []byte("user 42"), valueTTL); err != nil {
			t.Fatal(err)
		}
		if o := <-follow; o.err != nil || o.value != "user 42" {
			t.Fatalf("follower: %+v, want the stored value", o)
		}
		if n := reported.Load(); n != 1 {
			t.Errorf("subscription failures reported: %d, want 1", n)
		}
		if n := f.loads.Load(); n != 0 {
			t.Errorf("load ran %d times, want 0", n)
		}
	})
}

func TestNotifyWithEmptyKeyWakesEveryFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		const poll = time.Hour
		g := f.process(Options{LockTimeout: 10 * poll, PollInterval: poll, MaxPollInterval: poll}, false)
		keys := []string{"app:a", "app:b"}
		var outcomes []<-chan outcome[string]
		for _, key := range keys {
			if _, ok, err := f.backend.AcquireLock(t.Context(), key, 10*poll); !ok || err != nil {
				t.Fatalf("AcquireLock = %v, %v", ok, err)
			}
			check := func(ctx context.Context) (string, bool, error) {
				v, found, err := f.backend.Get(ctx, key)
				return string(v), found, err
			}
			outcomes = append(outcomes, doAsync(t.Context(), g, key, check, f.load))
		}
		synctest.Wait()
		for _, key := range keys {
			if err := f.backend.Set(t.Context(), key, []byte(key), valueTTL); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		g.Notify("") // "changes were lost": every waiting flight looks again
		for i, ch := range outcomes {
			if o := <-ch; o.err != nil || o.value != keys[i] {
				t.Errorf("flight %s: %+v", keys[i], o)
			}
		}
		if elapsed := time.Since(start); elapsed != 0 {
			t.Errorf("flights took %v to wake, want no poll tick", elapsed)
		}
	})
}
