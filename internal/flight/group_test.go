package flight

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestDoRunsOneLoadForManyCallers(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func(t *testing.T) context.Context
	}{
		// A caller that cannot be cancelled runs the flight on its own goroutine.
		{"uncancellable contexts", func(*testing.T) context.Context { return context.Background() }},
		{"cancellable contexts", func(t *testing.T) context.Context { return t.Context() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const callers = 1000
				g := newGroup[int](t, Options{})
				var loads atomic.Int32
				release := make(chan struct{})
				load := func(context.Context) (int, error) {
					loads.Add(1)
					<-release
					return 42, nil
				}
				outcomes := make([]<-chan outcome[int], callers)
				for i := range outcomes {
					outcomes[i] = doAsync(tc.ctx(t), g, "app:k", nil, load)
				}
				synctest.Wait() // every caller has started or joined the flight
				close(release)

				owners := 0
				for _, ch := range outcomes {
					o := <-ch
					if o.err != nil || o.value != 42 {
						t.Fatalf("Do = %d, %v; want 42, nil", o.value, o.err)
					}
					if !o.shared {
						owners++
					}
				}
				if n := loads.Load(); n != 1 {
					t.Errorf("load ran %d times, want 1", n)
				}
				if owners != 1 {
					t.Errorf("%d callers got shared == false, want exactly 1", owners)
				}
				if s := g.Stats(); s.Loads != 1 || s.Shared != callers-1 {
					t.Errorf("Stats = %+v, want Loads 1 and Shared %d", s, callers-1)
				}
			})
		})
	}
}

func TestDoKeysAreIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGroup[string](t, Options{})
		release := make(chan struct{})
		var loads atomic.Int32
		loadOf := func(v string) LoadFunc[string] {
			return func(context.Context) (string, error) {
				loads.Add(1)
				<-release
				return v, nil
			}
		}
		a := doAsync(t.Context(), g, "app:a", nil, loadOf("A"))
		b := doAsync(t.Context(), g, "app:b", nil, loadOf("B"))
		synctest.Wait()
		if n := loads.Load(); n != 2 {
			t.Fatalf("%d loads running for two keys, want 2", n)
		}
		close(release)
		if o := <-a; o.value != "A" || o.shared {
			t.Errorf("key a: %+v, want A unshared", o)
		}
		if o := <-b; o.value != "B" || o.shared {
			t.Errorf("key b: %+v, want B unshared", o)
		}
	})
}

func TestDoCancelledCallerDoesNotCancelTheLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		// first reports whether the caller that gives up is the one whose context the
		// load derives from.
		first bool
		// end makes the giving-up context end: a cancel or a deadline passing.
		deadline bool
		wantErr  error
	}{
		{"first caller cancelled", true, false, context.Canceled},
		{"joined caller cancelled", false, false, context.Canceled},
		{"first caller's deadline passes", true, true, context.DeadlineExceeded},
		{"joined caller's deadline passes", false, true, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGroup[string](t, Options{LoadTimeout: time.Hour})
				release := make(chan struct{})
				loadErr := make(chan error, 1)
				load := func(ctx context.Context) (string, error) {
					select {
					case <-release:
						loadErr <- ctx.Err()
						return "value", nil
					case <-ctx.Done():
						loadErr <- ctx.Err()
						return "", ctx.Err()
					}
				}
				var quitter context.Context
				var cancel context.CancelFunc
				if tc.deadline {
					quitter, cancel = context.WithTimeout(t.Context(), time.Minute)
				} else {
					quitter, cancel = context.WithCancel(t.Context())
				}
				defer cancel()

				var gaveUp, stayed <-chan outcome[string]
				if tc.first {
					gaveUp = doAsync(quitter, g, "app:k", nil, load)
					synctest.Wait()
					stayed = doAsync(t.Context(), g, "app:k", nil, load)
				} else {
					stayed = doAsync(t.Context(), g, "app:k", nil, load)
					synctest.Wait()
					gaveUp = doAsync(quitter, g, "app:k", nil, load)
				}
				synctest.Wait()
				if !tc.deadline {
					cancel()
				} else {
					time.Sleep(time.Minute) // move the bubble's clock to the deadline
				}
				synctest.Wait()

				o, ok := ready(gaveUp)
				if !ok {
					t.Fatal("the caller whose context ended is still blocked")
				}
				if !errors.Is(o.err, tc.wantErr) {
					t.Errorf("the caller whose context ended got %v, want %v", o.err, tc.wantErr)
				}
				if _, ok := ready(stayed); ok {
					t.Fatal("the other caller returned before the load finished")
				}
				close(release)
				if o := <-stayed; o.err != nil || o.value != "value" {
					t.Errorf("the other caller got %q, %v; want value, nil", o.value, o.err)
				}
				if err := <-loadErr; err != nil {
					t.Errorf("the load's context ended with %v; want it alive", err)
				}
				if s := g.Stats(); s.Canceled != 1 || s.Loads != 1 {
					t.Errorf("Stats = %+v, want Canceled 1 and Loads 1", s)
				}
			})
		})
	}
}

type ctxKey struct{}

func TestDoLoadContextKeepsValuesAndIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const loadTimeout = 3 * time.Second
		g := newGroup[string](t, Options{LoadTimeout: loadTimeout})
		ctx, cancel := context.WithTimeout(context.WithValue(t.Context(), ctxKey{}, "trace-1"), time.Hour)
		defer cancel()
		start := time.Now()
		_, _, err := g.Do(ctx, "app:k", nil, func(ctx context.Context) (string, error) {
			if v := ctx.Value(ctxKey{}); v != "trace-1" {
				t.Errorf("load context value = %v, want the caller's trace-1", v)
			}
			deadline, ok := ctx.Deadline()
			if want := start.Add(loadTimeout); !ok || !deadline.Equal(want) {
				t.Errorf("load deadline = %v (set %v), want LoadTimeout from the start, %v, not the caller's", deadline, ok, want)
			}
			<-ctx.Done() // a load that never finishes on its own
			return "", ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Do = %v, want the load's deadline error", err)
		}
	})
}

func TestDoErrorsReachEveryCallerAndAreNotRemembered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGroup[int](t, Options{})
		errLoad := errors.New("database unavailable")
		release := make(chan struct{})
		var loads atomic.Int32
		failing := func(context.Context) (int, error) {
			loads.Add(1)
			<-release
			return 0, errLoad
		}
		a := doAsync(t.Context(), g, "app:k", nil, failing)
		synctest.Wait()
		b := doAsync(t.Context(), g, "app:k", nil, failing)
		synctest.Wait()
		close(release)
		for _, ch := range []<-chan outcome[int]{a, b} {
			if o := <-ch; !errors.Is(o.err, errLoad) {
				t.Errorf("Do = %v, want the load's error", o.err)
			}
		}
		v, shared, err := g.Do(t.Context(), "app:k", nil, func(context.Context) (int, error) {
			loads.Add(1)
			return 7, nil
		})
		if v != 7 || shared || err != nil {
			t.Errorf("Do after a failed flight = %d, %v, %v; want 7, false, nil", v, shared, err)
		}
		if n := loads.Load(); n != 2 {
			t.Errorf("load ran %d times, want 2 (the error is not cached)", n)
		}
	})
}

var errPanicValue = errors.New("panic value")

func TestDoRecoversPanics(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		// wrapped is matched with errors.Is when the panic value is an error.
		wrapped error
	}{
		{"string", "boom", nil},
		{"error", errPanicValue, errPanicValue},
		{"nil", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGroup[int](t, Options{})
				release := make(chan struct{})
				load := func(context.Context) (int, error) {
					<-release
					panic(tc.value)
				}
				outcomes := []<-chan outcome[int]{doAsync(t.Context(), g, "app:k", nil, load)}
				synctest.Wait()
				outcomes = append(outcomes, doAsync(t.Context(), g, "app:k", nil, load), doAsync(context.Background(), g, "app:k", nil, load))
				synctest.Wait()
				close(release)
				for _, ch := range outcomes {
					o := <-ch
					var pe *PanicError
					if !errors.As(o.err, &pe) || !errors.Is(o.err, ErrPanic) {
						t.Fatalf("Do = %v, want a *PanicError matching ErrPanic", o.err)
					}
					if len(pe.Stack) == 0 {
						t.Error("PanicError.Stack is empty")
					}
					if tc.wrapped != nil && !errors.Is(o.err, tc.wrapped) {
						t.Errorf("errors.Is(%v, panic value) = false", o.err)
					}
				}
				// The group still works.
				if v, _, err := g.Do(t.Context(), "app:k", nil, func(context.Context) (int, error) { return 1, nil }); v != 1 || err != nil {
					t.Errorf("Do after a panic = %d, %v; want 1, nil", v, err)
				}
				if s := g.Stats(); s.Panics != 1 {
					t.Errorf("Stats.Panics = %d, want 1", s.Panics)
				}
			})
		})
	}
}

func TestDoReportsGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGroup[int](t, Options{})
		release := make(chan struct{})
		load := func(context.Context) (int, error) {
			<-release
			runtime.Goexit()
			return 0, nil
		}
		// Cancellable contexts: the flight runs on its own goroutine, which Goexit ends.
		a := doAsync(t.Context(), g, "app:k", nil, load)
		synctest.Wait()
		b := doAsync(t.Context(), g, "app:k", nil, load)
		synctest.Wait()
		close(release)
		for _, ch := range []<-chan outcome[int]{a, b} {
			if o := <-ch; !errors.Is(o.err, ErrGoexit) {
				t.Errorf("Do = %v, want ErrGoexit", o.err)
			}
		}
	})
}

func TestDoRefusals(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	closed, err := New[int](Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = closed.Close()
	var loads atomic.Int32
	load := func(context.Context) (int, error) { loads.Add(1); return 1, nil }

	for _, tc := range []struct {
		name string
		g    *Group[int]
		ctx  context.Context
		load LoadFunc[int]
		want error
	}{
		{"nil load", newGroup[int](t, Options{}), context.Background(), nil, ErrNilLoad},
		{"context already cancelled", newGroup[int](t, Options{}), cancelled, load, context.Canceled},
		{"group closed", closed, context.Background(), load, ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := tc.g.Do(tc.ctx, "app:k", nil, tc.load); !errors.Is(err, tc.want) {
				t.Errorf("Do = %v, want %v", err, tc.want)
			}
		})
	}
	if n := loads.Load(); n != 0 {
		t.Errorf("load ran %d times for refused calls, want 0", n)
	}
}

func TestCloseCancelsAndWaitsForAbandonedLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := New[int](Options{LoadTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		loadEnded := make(chan error, 1)
		ch := doAsync(ctx, g, "app:k", nil, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			loadEnded <- ctx.Err()
			return 0, ctx.Err()
		})
		synctest.Wait()
		cancel()
		if o := <-ch; !errors.Is(o.err, context.Canceled) {
			t.Fatalf("cancelled caller got %v", o.err)
		}
		synctest.Wait()
		if len(loadEnded) != 0 {
			t.Fatal("the load ended when its only caller gave up; want it detached")
		}
		_ = g.Close()
		// Close returned, so the load has ended: its result is already queued.
		select {
		case err := <-loadEnded:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the abandoned load ended with %v, want context.Canceled from Close", err)
			}
		default:
			t.Error("Close returned while the abandoned load was still running")
		}
	})
}
