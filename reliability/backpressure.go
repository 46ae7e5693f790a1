package reliability

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// limiter bounds the calls in flight. Each call holds one token of slots; a call that
// finds the channel full blocks on the send with the other waiters, which the runtime
// serves first come first served, and a released slot goes straight to the oldest.
type limiter struct {
	slots    chan struct{}
	queued   atomic.Int64
	maxQueue int64
	maxWait  time.Duration
	stats    *counters
}

func newLimiter(opts BackpressureOptions, stats *counters) *limiter {
	return &limiter{
		slots:    make(chan struct{}, opts.MaxConcurrent),
		maxQueue: int64(opts.MaxQueue),
		maxWait:  opts.MaxWait,
		stats:    stats,
	}
}

// acquire takes a slot, waiting for one if need be. It returns an error wrapping
// ErrBackpressure when the call is shed, or its context's error. A nil limiter
// (disabled) always succeeds. After a nil error the caller must call release.
func (l *limiter) acquire(ctx context.Context, op, key string) error {
	if l == nil {
		return nil
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	if l.queued.Add(1) > l.maxQueue {
		l.queued.Add(-1)
		l.stats.shed.Add(1)
		return queueFullError(op, key, int(l.maxQueue))
	}
	defer l.queued.Add(-1)
	wait := time.NewTimer(l.maxWait)
	defer wait.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-wait.C:
		l.stats.shed.Add(1)
		return waitedTooLongError(op, key, l.maxWait)
	case <-ctx.Done():
		return backend.ContextError(backendName, op, key, ctx.Err())
	}
}

// release gives back the slot taken by acquire.
func (l *limiter) release() {
	if l != nil {
		<-l.slots
	}
}

// inFlight returns the number of slots taken.
func (l *limiter) inFlight() int {
	if l == nil {
		return 0
	}
	return len(l.slots)
}

// waiting returns the number of calls queued for a slot.
func (l *limiter) waiting() int {
	if l == nil {
		return 0
	}
	return int(l.queued.Load())
}
