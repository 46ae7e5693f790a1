package flight

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// hangingCheck is a cache read that never answers before its context ends, as a read
// from an unreachable backend does.
func hangingCheck(ctx context.Context) (string, bool, error) {
	<-ctx.Done()
	return "", false, ctx.Err()
}

// TestHangingCheckRunsOutTheWait: a cache read that hangs past WaitTimeout ends the
// wait as a hanging lock call does: the flight loads (under the lock when it holds it),
// counts a wait timeout, and the read's deadline error does not reach the callers.
func TestHangingCheckRunsOutTheWait(t *testing.T) {
	for _, holder := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			f := newFleet(t)
			g := f.process(Options{LockTimeout: time.Minute, WaitTimeout: time.Second}, false)
			if !holder {
				if _, ok, err := f.backend.AcquireLock(t.Context(), sharedKey, time.Hour); !ok || err != nil {
					t.Fatalf("AcquireLock = %v, %v", ok, err)
				}
			}
			v, shared, err := g.Do(t.Context(), sharedKey, hangingCheck, f.load)
			if v != "user 42" || shared || err != nil {
				t.Fatalf("holder=%v: Do = %q, %v, %v; want this flight's own load", holder, v, shared, err)
			}
			if s := g.Stats(); s.WaitTimeouts != 1 || s.Loads != 1 {
				t.Errorf("holder=%v: Stats = %+v, want one wait timeout and one load", holder, s)
			}
		})
	}
}

// TestCloseDuringAHangingCheck: Close while the lock holder's cache read hangs ends
// the flight with ErrClosed and runs no load.
func TestCloseDuringAHangingCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(t)
		g := f.process(Options{LockTimeout: time.Hour}, false)
		ch := doAsync(t.Context(), g, sharedKey, hangingCheck, f.load)
		synctest.Wait() // the holder took the lock and is inside the check
		_ = g.Close()
		if o := <-ch; !errors.Is(o.err, ErrClosed) {
			t.Fatalf("Do = %+v, want ErrClosed", o)
		}
		if n := f.loads.Load(); n != 0 {
			t.Errorf("load ran %d times, want 0", n)
		}
	})
}
