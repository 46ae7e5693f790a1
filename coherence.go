package cachekit

import (
	"context"
	"strings"

	"github.com/cachekit-io/cachekit-go/backend"
)

// subscribe keeps the L1 coherent across processes: when the backend implements
// backend.Invalidator, the client listens to changes under its namespace and drops its
// L1 copy of every key another writer changed. Its own writes carry its id
// (backend.WithOrigin), so their echoes are ignored and a fresh write stays in L1.
func (c *Client) subscribe() {
	inv, ok := c.backend.(backend.Invalidator)
	if !ok {
		return
	}
	stop, err := inv.SubscribeInvalidations(context.Background(), c.prefix, c.onInvalidation)
	if err != nil {
		c.logger.Warn("cachekit: the L1 is not kept coherent across processes: subscribing to invalidations failed",
			"error", err)
		return
	}
	c.stopInvalidations = stop
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
		// The backend may have missed changes (reconnect, overflow, FLUSHALL): nothing
		// in L1 can be trusted any more.
		c.l1.InvalidateAll()
		c.stats.invalidations.Add(1)
		c.stats.l1Flushes.Add(1)
		return
	}
	key, ok := strings.CutPrefix(ev.Key, c.prefix)
	if !ok {
		return
	}
	c.l1.Invalidate(key)
	c.stats.invalidations.Add(1)
}
