package flight

import (
	"context"
	"sync"
	"sync/atomic"
)

// CheckFunc reads the cache for the flight's key. It reports found == false, with a
// nil error, when there is no value yet; a non-nil error ends the flight with that
// error, so a caller that wants a backend outage treated as a miss returns
// (zero, false, nil) for it.
type CheckFunc[T any] func(ctx context.Context) (value T, found bool, err error)

// LoadFunc computes the value of the flight's key and, normally, writes it to the
// cache so that waiting processes find it.
type LoadFunc[T any] func(ctx context.Context) (T, error)

// Group runs at most one load per key at a time: in this process always, and across
// processes when Options.Locker is set. Create one with New; a Group is safe for
// concurrent use. See the package documentation for the contract.
type Group[T any] struct {
	opts  Options
	stats counters

	mu     sync.Mutex
	calls  map[string]*call[T]
	closed bool
	// stopSubscription ends the invalidation subscription; set once it is active.
	stopSubscription func()
	// flights counts running flights, so Close can wait for them.
	flights sync.WaitGroup

	// subscription is subIdle, subPending or subActive.
	subscription atomic.Int32
}

// call is one flight: the work for a key shared by every caller that asked for it
// while it ran.
type call[T any] struct {
	done chan struct{} // closed when val and err are final
	// wake is signalled (without blocking) when an invalidation for the key arrives.
	// It is nil, and never signalled, without a Locker.
	wake   chan struct{}
	cancel context.CancelFunc // cancels the flight's context; Close uses it

	val T
	err error
	// loaded is true when the flight ran the load function, false when its value came
	// from the check function or it failed before loading.
	loaded bool
}

// New returns a Group configured by opts, or an error wrapping ErrInvalidOptions.
func New[T any](opts Options) (*Group[T], error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Group[T]{opts: o, calls: make(map[string]*call[T])}, nil
}

// Do returns the value of key, running load at most once at a time per key in this
// process and, with a Locker, once across the processes sharing the lock. key is the
// full storage key as the backend sees it; the lock is backend.LockKey(key).
//
// The first caller for a key starts a flight; later callers join it and all receive
// its result, with shared == true for everyone but the caller whose flight ran load.
// Only the first caller's check and load functions are used.
//
// Do returns ctx.Err() as soon as ctx ends, without cancelling the flight: load runs
// on a context that keeps the first caller's values but none of its cancellation or
// deadline, bounded instead by Options.LoadTimeout, so one caller giving up never
// fails the others. A flight that every caller abandoned still finishes (normally
// writing the cache) within its bounds.
//
// With a Locker, a flight first takes the lock. If another process holds it, the
// flight waits, calling check on every wake (a poll tick or an invalidation of key),
// and returns the value check finds; if the lock is freed without a value it tries to
// take it again; after Options.WaitTimeout it loads anyway. If the Locker fails, the
// flight loads without it and reports the failure to Options.OnError. The holder calls
// check once more after taking the lock, so a value written just before is not loaded
// twice, and releases the lock after load returns and its callers have their result.
//
// Errors from load and check are returned to every caller of the flight and are not
// remembered: the next Do starts a new flight. A panic in load or check is returned as
// a *PanicError. Without a Locker check is never called and may be nil; with one, a
// nil check finds nothing, so followers wait for the lock to be free and then load.
func (g *Group[T]) Do(ctx context.Context, key string, check CheckFunc[T], load LoadFunc[T]) (value T, shared bool, err error) {
	var zero T
	if load == nil {
		return zero, false, ErrNilLoad
	}
	if err := ctx.Err(); err != nil {
		g.stats.canceled.Add(1)
		return zero, false, err
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return zero, false, ErrClosed
	}
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		return g.wait(ctx, c, true)
	}
	c := &call[T]{done: make(chan struct{})}
	// The flight's context keeps the first caller's values but none of its
	// cancellation; Close cancels it. Without a Locker the flight is nothing but the
	// load, so its context carries the load's bound directly, saving a context.
	var flightCtx context.Context
	if g.opts.Locker == nil {
		flightCtx, c.cancel = context.WithTimeout(context.WithoutCancel(ctx), g.opts.LoadTimeout)
	} else {
		flightCtx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
		c.wake = make(chan struct{}, 1)
	}
	g.calls[key] = c
	g.flights.Add(1)
	g.mu.Unlock()

	if ctx.Done() == nil {
		// A caller that cannot be cancelled waits for the whole flight anyway: run it
		// here and save a goroutine.
		g.run(flightCtx, key, c, check, load)
		return g.result(c, false)
	}
	go g.run(flightCtx, key, c, check, load)
	return g.wait(ctx, c, false)
}

// wait returns c's result once the flight is done, or ctx.Err() if ctx ends first.
func (g *Group[T]) wait(ctx context.Context, c *call[T], joined bool) (T, bool, error) {
	select {
	case <-c.done:
		return g.result(c, joined)
	case <-ctx.Done():
		// Prefer a result that is already there over the cancellation.
		select {
		case <-c.done:
			return g.result(c, joined)
		default:
		}
		g.stats.canceled.Add(1)
		var zero T
		return zero, false, ctx.Err()
	}
}

// result returns the outcome of the finished flight c to one caller.
func (g *Group[T]) result(c *call[T], joined bool) (T, bool, error) {
	shared := joined || !c.loaded
	if shared {
		g.stats.shared.Add(1)
	}
	return c.val, shared, c.err
}

// run settles the flight c, publishes its result and then releases the lock it holds,
// if any. Its cleanup is deferred so that the flight's callers get an answer even if
// load calls runtime.Goexit.
func (g *Group[T]) run(ctx context.Context, key string, c *call[T], check CheckFunc[T], load LoadFunc[T]) {
	var lockID string
	returned := false
	defer func() {
		if !returned {
			var zero T
			c.val, c.err, c.loaded = zero, ErrGoexit, false
		}
		g.mu.Lock()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
		g.mu.Unlock()
		close(c.done)
		if lockID != "" {
			g.release(ctx, key, lockID)
		}
		c.cancel()
		g.flights.Done()
	}()
	lockID = g.settle(ctx, key, c, check, load)
	returned = true
}

// settle fills in c's result and returns the id of the lock it took, or "".
func (g *Group[T]) settle(ctx context.Context, key string, c *call[T], check CheckFunc[T], load LoadFunc[T]) string {
	var lockID string
	if g.opts.Locker != nil {
		var (
			val   T
			found bool
			err   error
		)
		lockID, val, found, err = g.coordinate(ctx, key, c, check)
		if err != nil || found {
			c.val, c.err = val, err
			if found {
				g.stats.found.Add(1)
			}
			return lockID
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.opts.LoadTimeout)
		defer cancel()
	}
	c.val, c.err = g.load(ctx, load)
	c.loaded = true
	return lockID
}

// Notify wakes the flight waiting for another process's value of key, if there is one,
// so that it looks at the cache at once. An empty key wakes every waiting flight. The
// group calls it for each invalidation when Options.Invalidator is set; a caller that
// already receives invalidations can forward them instead. Notify never blocks.
func (g *Group[T]) Notify(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if key == "" {
		for _, c := range g.calls {
			c.signal()
		}
		return
	}
	if c, ok := g.calls[key]; ok {
		c.signal()
	}
}

// signal wakes c without blocking; a pending wake already covers this one.
func (c *call[T]) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Stats returns a snapshot of the group's counters.
func (g *Group[T]) Stats() Stats { return g.stats.snapshot() }

// Close stops the group: later Do calls fail with ErrClosed, flights still waiting for
// another process end with ErrClosed, running loads see their context cancelled, and
// the invalidation subscription is stopped. Close waits for every flight to finish,
// lock releases included, so no goroutine of the group outlives it. It is safe to call
// more than once, but not from a load or check function, which would wait for itself.
func (g *Group[T]) Close() error {
	g.mu.Lock()
	g.closed = true
	for _, c := range g.calls {
		c.cancel()
	}
	stop := g.stopSubscription
	g.stopSubscription = nil
	g.mu.Unlock()
	if stop != nil {
		stop()
	}
	g.flights.Wait()
	return nil
}
