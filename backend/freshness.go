package backend

import (
	"context"
	"time"
)

// Freshness is what a backend's answer said about how long the value it returned may
// be kept in a process-local cache (the client's L1). The zero value means "no bound":
// the caller's own lifetime applies. Today the cachekit.io backend reports it, from its
// X-CacheKit-Freshness and X-CacheKit-Fresh-For response headers.
type Freshness struct {
	// Stale is true when the server served the entry after its fresh lifetime. A stale
	// value is returned to the caller but never cached locally.
	Stale bool
	// HasFreshFor is true when the answer bounded the value's remaining freshness.
	HasFreshFor bool
	// FreshFor is the remaining freshness when HasFreshFor; zero means "do not cache".
	FreshFor time.Duration
}

// L1TTL applies the backfill rule to a value just read: it returns how long a local copy
// may be kept, at most localTTL, and ok == false when it must not be cached at all. A
// stale answer and a zero FreshFor are never cached; a positive FreshFor bounds the
// lifetime to min(localTTL, FreshFor); without FreshFor, localTTL applies.
func (f Freshness) L1TTL(localTTL time.Duration) (ttl time.Duration, ok bool) {
	if f.Stale || localTTL <= 0 {
		return 0, false
	}
	if !f.HasFreshFor {
		return localTTL, true
	}
	if f.FreshFor <= 0 {
		return 0, false
	}
	return min(localTTL, f.FreshFor), true
}

type freshnessKey struct{}

// WithFreshness returns a context asking the backend's Get to record in *sink what its
// answer said about freshness (the zero value on a miss, on an error, or from a backend
// that knows nothing of it). A context value rather than an interface method, so that it
// reaches the backend through middleware such as package reliability. The sink must not
// be shared between concurrent calls.
func WithFreshness(ctx context.Context, sink *Freshness) context.Context {
	return context.WithValue(ctx, freshnessKey{}, sink)
}

// FreshnessSink returns the sink set by WithFreshness, or nil. Backends that can report
// freshness fill it in Get.
func FreshnessSink(ctx context.Context) *Freshness {
	s, _ := ctx.Value(freshnessKey{}).(*Freshness)
	return s
}

// CacheStats are a caller's cache counters since it started, which some backends send to
// their server (cachekit.io's X-CacheKit-L1-* headers).
type CacheStats struct {
	// L1Hits counts reads answered from the in-process cache.
	L1Hits uint64
	// L2Hits counts reads answered by the backend.
	L2Hits uint64
	// Misses counts reads that found nothing.
	Misses uint64
}

// L1HitRate is L1Hits over all reads, 0 when there were none.
func (s CacheStats) L1HitRate() float64 {
	total := float64(s.L1Hits) + float64(s.L2Hits) + float64(s.Misses)
	if total == 0 {
		return 0
	}
	return float64(s.L1Hits) / total
}

// StatsConsumer is implemented by backends that report the caller's cache statistics to
// their server. The cachekit client finds it by type assertion (through middleware that
// has an Unwrap() Backend method) and, when its L1 is on, hands it a function returning
// its real counters.
type StatsConsumer interface {
	// SetStatsSource installs source, called once per request on the requesting
	// goroutine; it must be cheap and safe for concurrent use. nil removes it.
	SetStatsSource(source func() CacheStats)
}

// FreshnessReporter is implemented by backends whose Get fills the sink of
// WithFreshness. Callers ask before paying for the context value.
type FreshnessReporter interface {
	// ReportsFreshness reports whether Get fills a WithFreshness sink.
	ReportsFreshness() bool
}
