package cachekit

import "sync/atomic"

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
	// PreviousKeyReads counts values decrypted with a decrypt-only (previous) master key.
	PreviousKeyReads uint64
}

// counters are the live statistics; each is one atomic add where it is counted.
type counters struct {
	l1Hits           atomic.Uint64
	l2Hits           atomic.Uint64
	misses           atomic.Uint64
	invalidations    atomic.Uint64
	previousKeyReads atomic.Uint64
	errors           [numKinds]atomic.Uint64
}

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{
		L1Hits:                c.stats.l1Hits.Load(),
		L2Hits:                c.stats.l2Hits.Load(),
		Misses:                c.stats.misses.Load(),
		InvalidationsReceived: c.stats.invalidations.Load(),
		PreviousKeyReads:      c.stats.previousKeyReads.Load(),
		Errors:                map[Kind]uint64{},
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
