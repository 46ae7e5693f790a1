package reliability

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// outcome is what the breaker learns from one call.
type outcome uint8

const (
	// succeeded: the backend answered (a hit, a miss, or an error that is not about
	// availability).
	succeeded outcome = iota
	// failed: the backend was unavailable or too slow.
	failed
	// ignored: the caller gave up; the call says nothing about the backend.
	ignored
)

// outcomeOf classifies the result of a call made with ctx.
func outcomeOf(ctx context.Context, err error) outcome {
	switch {
	case err == nil:
		return succeeded
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		return ignored
	case backend.IsRetryable(err):
		return failed
	}
	return succeeded
}

// ticket is what admit hands a call and done takes back: the breaker generation the
// call was admitted in, and whether it holds a half-open probe slot. An outcome from an
// earlier generation is stale and changes nothing.
type ticket struct {
	gen   uint64
	probe bool
}

// transition is a state change to report to OnStateChange once the lock is released.
type transition struct {
	from, to State
	happened bool
}

// breaker is the circuit breaker. Its state and generation are mirrored in word so that
// a closed breaker admits calls, and sees their successes, without taking the lock.
type breaker struct {
	opts     BreakerOptions
	onChange func(from, to State)
	stats    *counters

	word atomic.Uint64 // gen<<2 | state

	mu    sync.Mutex
	state State
	gen   uint64
	// Closed: the times of the most recent failures, a ring of FailureThreshold.
	failures []time.Time
	next     int
	recorded int
	// Open: when probes may start.
	openUntil time.Time
	// Half-open: probes in flight and probes that succeeded.
	probes    int
	successes int
}

func newBreaker(opts BreakerOptions, onChange func(from, to State), stats *counters) *breaker {
	return &breaker{
		opts:     opts,
		onChange: onChange,
		stats:    stats,
		failures: make([]time.Time, opts.FailureThreshold),
	}
}

// admit lets a call through, or refuses it with an error wrapping ErrCircuitOpen. A nil
// breaker (disabled) admits everything.
func (b *breaker) admit(op, key string) (ticket, error) {
	if b == nil {
		return ticket{}, nil
	}
	if w := b.word.Load(); State(w&3) == StateClosed {
		return ticket{gen: w >> 2}, nil
	}
	b.mu.Lock()
	tr := b.advanceLocked(time.Now())
	t, ok := ticket{gen: b.gen}, true
	switch b.state {
	case StateOpen:
		ok = false
	case StateHalfOpen:
		if b.probes < b.opts.HalfOpenProbes {
			b.probes++
			t.probe = true
		} else {
			ok = false
		}
	}
	b.mu.Unlock()
	b.report(tr)
	if !ok {
		b.stats.rejected.Add(1)
		return ticket{}, circuitOpenError(op, key)
	}
	return t, nil
}

// done records the outcome of a call admitted with t.
func (b *breaker) done(t ticket, o outcome) {
	if b == nil || (o != failed && !t.probe) {
		// A closed circuit only counts failures.
		return
	}
	b.mu.Lock()
	var tr transition
	if t.gen == b.gen {
		now := time.Now()
		switch b.state {
		case StateClosed:
			if b.recordFailureLocked(now) {
				tr = b.setLocked(StateOpen, now)
			}
		case StateHalfOpen:
			b.probes--
			switch o {
			case failed:
				tr = b.setLocked(StateOpen, now)
			case succeeded:
				b.successes++
				if b.successes >= b.opts.SuccessThreshold {
					tr = b.setLocked(StateClosed, now)
				}
			}
		}
	}
	b.mu.Unlock()
	b.report(tr)
}

// current returns the state, turning an open circuit whose time is up half-open.
func (b *breaker) current() State {
	if b == nil {
		return StateClosed
	}
	b.mu.Lock()
	tr := b.advanceLocked(time.Now())
	s := b.state
	b.mu.Unlock()
	b.report(tr)
	return s
}

// recordFailureLocked remembers a failure at now and reports whether FailureThreshold
// failures now fall within Window.
func (b *breaker) recordFailureLocked(now time.Time) bool {
	n := len(b.failures)
	b.failures[b.next] = now
	b.next = (b.next + 1) % n
	if b.recorded < n {
		b.recorded++
	}
	if b.recorded < n {
		return false
	}
	// The ring is full: the slot written next holds the oldest of the last n failures.
	return now.Sub(b.failures[b.next]) < b.opts.Window
}

// advanceLocked moves an open circuit whose open duration has passed to half-open.
func (b *breaker) advanceLocked(now time.Time) transition {
	if b.state == StateOpen && !now.Before(b.openUntil) {
		return b.setLocked(StateHalfOpen, now)
	}
	return transition{}
}

// setLocked enters state to at now, starting a new generation.
func (b *breaker) setLocked(to State, now time.Time) transition {
	from := b.state
	b.state = to
	b.gen++
	switch to {
	case StateClosed:
		b.next, b.recorded = 0, 0
	case StateOpen:
		b.openUntil = now.Add(b.opts.OpenDuration)
	case StateHalfOpen:
		b.probes, b.successes = 0, 0
	}
	b.word.Store(b.gen<<2 | uint64(to))
	b.stats.transitions.Add(1)
	return transition{from: from, to: to, happened: true}
}

// report calls OnStateChange for tr, outside the lock.
func (b *breaker) report(tr transition) {
	if tr.happened && b.onChange != nil {
		b.onChange(tr.from, tr.to)
	}
}
