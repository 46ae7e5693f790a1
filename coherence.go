package cachekit

import (
	"context"
	"strings"

	"github.com/cachekit-io/cachekit-go/backend"
)

// subscribe keeps the L1 coherent across processes: when the backend implements
// backend.Invalidator, the client listens to changes under its namespace and drops its
// L1 copy of every key another writer changed. Its own writes carry its id
// (backend.WithOrigin), so their echoes are ignored and a fresh write stays in L1. While
// the backend says the subscription is disconnected, the L1 takes no new entries (see
// flushL1); Stats().Coherence reports both states.
func (c *Client) subscribe() {
	inv, ok := c.backend.(backend.Invalidator)
	if !ok {
		return
	}
	stop, err := inv.SubscribeInvalidations(context.Background(), c.prefix, c.onInvalidation)
	if err != nil {
		c.logger.Warn("cachekit: the L1 is not kept coherent across processes: subscribing to invalidations failed",
			"error", err)
		// Stats().Coherence.Subscribed stays false. Should the failed attempt have said
		// it was disconnected, the L1 goes back to a plain TTL-bounded cache.
		c.l1.ResumeWrites()
		return
	}
	c.stopInvalidations = stop
	c.subscribed.Store(true)
}

// onInvalidation applies one invalidation to the L1, and wakes any memoized call
// waiting for another process to store that key (the single-flight group has no
// subscription of its own). It runs on a backend goroutine and does not block.
func (c *Client) onInvalidation(ev backend.Invalidation) {
	c.memo.notify(ev.Key)
	if ev.Origin != "" && ev.Origin == c.id {
		return
	}
	if ev.Key == "" {
		c.flushL1(ev.Disconnected)
		return
	}
	key, ok := strings.CutPrefix(ev.Key, c.prefix)
	if !ok {
		return
	}
	c.l1.Invalidate(key)
	c.stats.invalidations.Add(1)
}

// flushL1 applies a flush-all: the backend may have missed changes (a reconnection, an
// overflowing queue, FLUSHALL), so nothing in the L1 can be trusted any more. When the
// subscription says it is disconnected, the L1 also stops taking new entries (backfills,
// write-through) until a flush-all without the flag: nothing would tell it when they
// change elsewhere. Reads then miss the L1 and go to the backend.
//
// The order makes the flushes race-free with reads in flight: writes are suspended
// before the L1 is emptied and resumed after, and emptying advances every generation,
// so a backfill of a value read before either flush gives way (see internal/l1).
func (c *Client) flushL1(disconnected bool) {
	if disconnected && c.l1.SuspendWrites() {
		c.stats.disconnects.Add(1)
	}
	c.l1.InvalidateAll()
	if !disconnected {
		c.l1.ResumeWrites()
	}
	c.stats.invalidations.Add(1)
	c.stats.l1Flushes.Add(1)
}

// coherenceStats reports the state of the subscription that keeps the L1 coherent.
func (c *Client) coherenceStats() CoherenceStats {
	subscribed := c.subscribed.Load()
	return CoherenceStats{
		Subscribed:  subscribed,
		Connected:   subscribed && !c.l1.WritesSuspended(),
		Disconnects: c.stats.disconnects.Load(),
	}
}
