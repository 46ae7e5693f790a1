package flight

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// coordinate takes the distributed lock for key or waits for the process that holds
// it. It returns either the value another process stored (found), an error to give the
// callers, or neither, meaning "load now" — holding the lock when lockID is not empty,
// without it when the lock failed or the wait timed out.
func (g *Group[T]) coordinate(ctx context.Context, key string, c *call[T], check CheckFunc[T]) (lockID string, val T, found bool, err error) {
	waitCtx, cancel := context.WithTimeout(ctx, g.opts.WaitTimeout)
	defer cancel()
	var (
		timer     *time.Timer
		step      time.Duration
		contested bool
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()

	for {
		id, acquired, lockErr := g.opts.Locker.AcquireLock(waitCtx, key, g.opts.LockTimeout)
		if lockErr != nil {
			if stop, err := g.stopWaiting(ctx, waitCtx); stop {
				return "", val, false, err
			}
			g.stats.lockErrors.Add(1)
			g.report("acquire_lock", key, lockErr)
			return "", val, false, nil
		}
		if acquired {
			g.stats.lockAcquired.Add(1)
			// Another process may have written the value just before releasing the
			// lock we now hold: look before loading it a second time.
			val, found, err = g.check(waitCtx, check)
			if err != nil {
				if stop, stopErr := g.stopWaiting(ctx, waitCtx); stop {
					return id, val, false, stopErr
				}
			}
			return id, val, found, err
		}

		if !contested {
			contested = true
			g.stats.lockContested.Add(1)
			g.subscribe(waitCtx)
		}
		val, found, err = g.check(waitCtx, check)
		if err != nil {
			if stop, stopErr := g.stopWaiting(ctx, waitCtx); stop {
				return "", val, false, stopErr
			}
			return "", val, false, err
		}
		if found {
			return "", val, true, nil
		}

		var pause time.Duration
		step, pause = g.nextPause(step)
		if timer == nil {
			timer = time.NewTimer(pause)
		} else {
			timer.Reset(pause)
		}
		select {
		case <-waitCtx.Done():
			_, err := g.stopWaiting(ctx, waitCtx)
			return "", val, false, err
		case <-c.wake:
		case <-timer.C:
		}
	}
}

// stopWaiting tells, after a failed call, whether the failure came from the flight's
// own deadlines rather than from the backend, and what to do then: a closed group ends
// the flight with ErrClosed; an expired wait loads without the lock (err nil).
func (g *Group[T]) stopWaiting(ctx, waitCtx context.Context) (stop bool, err error) {
	if ctx.Err() != nil {
		return true, ErrClosed
	}
	if errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
		g.stats.waitTimeouts.Add(1)
		return true, nil
	}
	return false, nil
}

// nextPause returns the backoff step after prev (zero at first) and the pause to wait
// now, the step with jitter in [0.8, 1.2). Steps double from PollInterval up to
// MaxPollInterval; while invalidations wake the flight the step is MaxPollInterval
// at once, since polling then only has to notice a lock holder that died.
func (g *Group[T]) nextPause(prev time.Duration) (step, pause time.Duration) {
	switch {
	case g.subscription.Load() == subActive:
		step = g.opts.MaxPollInterval
	case prev > 0:
		step = min(2*prev, g.opts.MaxPollInterval)
	default:
		step = g.opts.PollInterval
	}
	return step, time.Duration(float64(step) * (0.8 + 0.4*rand.Float64()))
}

// release gives the lock back once the flight's callers have their result. It runs on
// a context detached from Close's cancellation, bounded by LockTimeout, after which the
// lock has expired anyway.
func (g *Group[T]) release(ctx context.Context, key, lockID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.opts.LockTimeout)
	defer cancel()
	released, err := g.opts.Locker.ReleaseLock(ctx, key, lockID)
	switch {
	case err != nil:
		g.stats.releaseErrors.Add(1)
		g.report("release_lock", key, err)
	case !released:
		g.stats.lockLost.Add(1)
	}
}

// report gives a coordination failure to Options.OnError.
func (g *Group[T]) report(op, key string, err error) {
	if g.opts.OnError != nil {
		g.opts.OnError(&CoordinationError{Op: op, Key: key, Err: err})
	}
}
