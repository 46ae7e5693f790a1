package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// latencies are the measured durations of one kind of read.
type latencies []time.Duration

// summary is the percentiles of a set of latencies.
type summary struct {
	n             int
	p50, p90, p99 time.Duration
	max           time.Duration
}

// summarize sorts a copy of l and returns its nearest-rank percentiles.
func (l latencies) summarize() summary {
	if len(l) == 0 {
		return summary{}
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return summary{
		n:   len(s),
		p50: percentile(s, 50),
		p90: percentile(s, 90),
		p99: percentile(s, 99),
		max: s[len(s)-1],
	}
}

// percentile returns the nearest-rank p-th percentile of sorted, which is not empty:
// the smallest sample at or above p percent of the samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// fmtLatency prints d with three significant digits in a readable unit.
func fmtLatency(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
