// Package backoff is the wait between two attempts of a retried call, shared by the
// cachekit.io client (backend/cachekitio) and the retry middleware (package
// reliability).
//
// Contract: Wait returns nil once the whole duration has passed, or the context's error
// as soon as the context is done, whichever comes first; it starts no goroutine and
// leaves no timer running. How long to wait is each caller's own schedule: both double
// a base delay up to a cap with a jitter in [0.5, 1.5), but reliability applies the cap
// after the jitter (no wait exceeds MaxDelay) and cachekitio before it (waits at the
// cap stay spread out), and cachekitio also honours Retry-After.
//
//	if err := backoff.Wait(ctx, delay); err != nil {
//		return err // ctx ended first: give up instead of retrying
//	}
package backoff

import (
	"context"
	"time"
)

// Wait waits for d, or until ctx is done. It returns nil when d has passed and
// ctx.Err() when ctx ended first. A d of zero or less returns at once, with nil unless
// ctx is already done (either may then be reported).
func Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
