package cachekit

import (
	"context"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// wireServerHints connects the client to backends that exchange cache information with
// their server (cachekit.io): the server's freshness hints bound what enters the L1, and
// the client's real counters are reported with each request. Only a client with an L1
// takes part: without one there is nothing to bound, and the server is told "disabled".
func (c *Client) wireServerHints() {
	if c.l1 == nil {
		return
	}
	if fr, ok := findInChain[backend.FreshnessReporter](c.backend); ok && fr.ReportsFreshness() {
		c.reportsFreshness = true
	}
	if sc, ok := findInChain[backend.StatsConsumer](c.backend); ok {
		c.statsConsumer = sc
		sc.SetStatsSource(c.cacheStats)
	}
}

// cacheStats is the StatsConsumer source: three atomic loads.
func (c *Client) cacheStats() backend.CacheStats {
	return backend.CacheStats{
		L1Hits: c.stats.l1Hits.Load(),
		L2Hits: c.stats.l2Hits.Load(),
		Misses: c.stats.misses.Load(),
	}
}

// backendGet reads the stored bytes under storageKey and what the backend said about
// their freshness (the zero Freshness, meaning no bound, from most backends).
func (c *Client) backendGet(ctx context.Context, storageKey string) ([]byte, backend.Freshness, bool, error) {
	if !c.reportsFreshness {
		stored, found, err := c.backend.Get(ctx, storageKey)
		return stored, backend.Freshness{}, found, err
	}
	// The sink escapes into the context, so it is declared only on this path: a read
	// from a backend that reports no freshness allocates nothing for it.
	var fresh backend.Freshness
	stored, found, err := c.backend.Get(backend.WithFreshness(ctx, &fresh), storageKey)
	return stored, fresh, found, err
}

// backfill puts bytes just read from the backend into the L1 for at most localTTL and
// at most what the backend's freshness hint allows; a stale answer, or a hint of zero,
// keeps them out of the L1 altogether.
func (c *Client) backfill(key string, stored []byte, localTTL time.Duration, fresh backend.Freshness, gen uint64) {
	if c.l1 == nil {
		return
	}
	ttl, ok := fresh.L1TTL(localTTL)
	if !ok {
		return
	}
	c.l1.Backfill(key, stored, ttl, gen)
}
