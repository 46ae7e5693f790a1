package flight

import (
	"context"

	"github.com/cachekit-io/cachekit-go/backend"
)

// States of Group.subscription.
const (
	subIdle    int32 = iota // no subscription; the next wait tries to make one
	subPending              // a flight is subscribing
	subActive               // invalidations reach Notify
)

// subscribe makes sure that invalidations of keys under Options.InvalidationPrefix
// wake waiting flights. The first flight that has to wait subscribes, on its own
// context, and the subscription lasts until Close; while that call is in progress, or
// after it failed, other flights simply poll. A failed subscription is reported to
// Options.OnError and tried again by the next flight that waits.
//
// A flight subscribes before it first looks at the cache, so a value written after
// that look always wakes it.
func (g *Group[T]) subscribe(ctx context.Context) {
	inv := g.opts.Invalidator
	if inv == nil || !g.subscription.CompareAndSwap(subIdle, subPending) {
		return
	}
	stop, err := inv.SubscribeInvalidations(ctx, g.opts.InvalidationPrefix, g.onInvalidation)
	if err != nil {
		g.subscription.Store(subIdle)
		g.report("subscribe_invalidations", g.opts.InvalidationPrefix, err)
		return
	}
	g.mu.Lock()
	if g.closed {
		// Close ran while we subscribed and could not see this subscription.
		g.mu.Unlock()
		stop()
		return
	}
	g.stopSubscription = stop
	g.subscription.Store(subActive)
	g.mu.Unlock()
}

// onInvalidation wakes the flight for the changed key. It runs on a backend goroutine
// and never blocks. An Invalidation with an empty Key (notifications were lost) wakes
// every waiting flight.
func (g *Group[T]) onInvalidation(ev backend.Invalidation) { g.Notify(ev.Key) }
