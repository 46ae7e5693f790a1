package cachekit

import (
	"sync/atomic"

	"github.com/cachekit-io/cachekit-go/reliability"
)

// Stats is a snapshot of a client's counters since New.
type Stats struct {
	// L1Hits counts reads answered by the L1.
	L1Hits uint64
	// L2Hits counts reads answered by the backend after an L1 miss.
	L2Hits uint64
	// Misses counts reads that found no entry.
	Misses uint64
	// Errors counts returned errors by kind; kinds with no error are absent.
	Errors map[Kind]uint64
	// L1Evictions counts entries the L1 dropped to respect its capacity or byte budget.
	L1Evictions uint64
	// L1Expirations counts L1 entries removed because their lifetime ended.
	L1Expirations uint64
	// L1Entries is the approximate number of entries in the L1.
	L1Entries int
	// L1Bytes is the bytes the L1 holds (keys plus stored values).
	L1Bytes int64
	// InvalidationsReceived counts invalidations from other writers that the client
	// applied to its L1.
	InvalidationsReceived uint64
	// L1Flushes counts the times the whole L1 was emptied because the backend said it
	// may have missed changes (a dropped notification connection, an overflowing queue,
	// a server-wide flush). A growing count means cross-process coherence is degraded.
	L1Flushes uint64
	// Coherence says whether the backend keeps the L1 coherent with other processes'
	// writes now, and how often it stopped doing so.
	Coherence CoherenceStats
	// PreviousKeyReads counts values decrypted with a decrypt-only (previous) master key.
	PreviousKeyReads uint64

	// Memo counts the work of the client's memoized functions (Memoize).
	Memo MemoStats

	// Reliability is the snapshot of the reliability middleware in front of the
	// backend (Options.Reliability, or a reliability.Backend passed as Options.Backend
	// or found through Unwrap): the circuit breaker's state, retries, failures,
	// refused and shed calls. It is nil when there is no such middleware.
	Reliability *reliability.Stats
}

// CoherenceStats is the state of the invalidation subscription that keeps a client's L1
// coherent across processes (backend.Invalidator).
type CoherenceStats struct {
	// Subscribed is true when the backend keeps this client's L1 coherent: the L1 is on,
	// L1Options.NoInvalidation is not set, the backend implements backend.Invalidator
	// and subscribing at New succeeded. When it is false the L1 is a plain cache: a value
	// changed by another process may be served until its L1 entry expires
	// (L1Options.BackfillTTL for values read, the write's TTL for values this client
	// wrote). A failed subscription is also logged at New.
	Subscribed bool
	// Connected is true when the subscription is delivering changes now. It is false
	// when not Subscribed, and from the moment the backend reports its notification
	// connection lost until it reports it back; in between the L1 takes no new entries
	// (no backfill after a backend hit, no write-through on Set), so every read that
	// misses the emptied L1 goes to the backend and cannot be stale.
	Connected bool
	// Disconnects counts the times the subscription reported its connection lost
	// (backend.Invalidation.Disconnected), once per outage however long it lasted. Each
	// one also empties the L1 and counts in L1Flushes, as does each recovery.
	Disconnects uint64
}

// MemoStats counts the calls of the functions memoized on one client, all together.
type MemoStats struct {
	// Hits counts calls answered from the cache with a fresh value.
	Hits uint64
	// StaleServed counts calls answered with a stale value (older than the
	// stale-while-revalidate threshold) while a background refresh was started or
	// already running.
	StaleServed uint64
	// NegativeHits counts calls answered with a cached failure (MemoCacheErrors).
	NegativeHits uint64
	// Misses counts calls that found nothing and went through the single-flight.
	Misses uint64
	// Shared counts calls that got a result loaded by another call: joined in this
	// process, or stored by another process holding the lock.
	Shared uint64
	// LoaderRuns counts runs of the wrapped functions, for whatever reason: misses,
	// refreshes and uncached runs.
	LoaderRuns uint64
	// Refreshes counts background refreshes started for stale values.
	Refreshes uint64
	// Uncached counts runs of the wrapped function without the cache because reading
	// it failed with an outage-class error (fail open).
	Uncached uint64
	// WriteErrors counts results (or cached failures) that could not be written to the
	// cache: encoding failures and backend errors. The call still returned its result.
	WriteErrors uint64
	// WritesSkipped counts results not written because a newer write or delete of the
	// key happened while the function ran (the newer one wins).
	WritesSkipped uint64
}

// counters are the live statistics; each is one atomic add where it is counted.
type counters struct {
	l1Hits           atomic.Uint64
	l2Hits           atomic.Uint64
	misses           atomic.Uint64
	invalidations    atomic.Uint64
	l1Flushes        atomic.Uint64
	disconnects      atomic.Uint64
	previousKeyReads atomic.Uint64
	errors           [numKinds]atomic.Uint64

	memoHits, memoStale, memoNegative, memoMisses, memoShared atomic.Uint64
	memoLoads, memoRefreshes, memoUncached                    atomic.Uint64
	memoWriteErrors, memoWritesSkipped                        atomic.Uint64
}

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{
		L1Hits:                c.stats.l1Hits.Load(),
		L2Hits:                c.stats.l2Hits.Load(),
		Misses:                c.stats.misses.Load(),
		InvalidationsReceived: c.stats.invalidations.Load(),
		L1Flushes:             c.stats.l1Flushes.Load(),
		Coherence:             c.coherenceStats(),
		PreviousKeyReads:      c.stats.previousKeyReads.Load(),
		Errors:                map[Kind]uint64{},
		Memo: MemoStats{
			Hits:          c.stats.memoHits.Load(),
			StaleServed:   c.stats.memoStale.Load(),
			NegativeHits:  c.stats.memoNegative.Load(),
			Misses:        c.stats.memoMisses.Load(),
			Shared:        c.stats.memoShared.Load(),
			LoaderRuns:    c.stats.memoLoads.Load(),
			Refreshes:     c.stats.memoRefreshes.Load(),
			Uncached:      c.stats.memoUncached.Load(),
			WriteErrors:   c.stats.memoWriteErrors.Load(),
			WritesSkipped: c.stats.memoWritesSkipped.Load(),
		},
	}
	if c.reliable != nil {
		rs := c.reliable.Stats()
		s.Reliability = &rs
	}
	for k := range c.stats.errors {
		if n := c.stats.errors[k].Load(); n > 0 {
			s.Errors[Kind(k)] = n
		}
	}
	if c.l1 != nil {
		s.L1Evictions = c.l1.Evictions()
		s.L1Expirations = c.l1.Expirations()
		s.L1Entries = c.l1.Len()
		s.L1Bytes = c.l1.Bytes()
	}
	return s
}
