package cachekitio

import (
	"context"
	"net/http"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Response headers of a GET that describe the value's freshness.
const (
	headerFreshness = "X-Cachekit-Freshness"
	headerFreshFor  = "X-Cachekit-Fresh-For"
)

// maxFreshForSeconds is the largest valid X-CacheKit-Fresh-For: the 30-day TTL cap.
const maxFreshForSeconds = 2_592_000

// ResponseMeta is what a GET's headers say about the value it returned:
// X-CacheKit-Freshness present and not exactly "fresh" makes it Stale;
// X-CacheKit-Fresh-For gives FreshFor in whole seconds, 0 for an invalid value (anything
// but 1 to 7 ASCII digits up to 2,592,000); no header leaves HasFreshFor false. The
// cachekit client applies backend.Freshness.L1TTL to it to decide whether, and for how
// long, the value may enter its L1.
type ResponseMeta = backend.Freshness

// parseResponseMeta reads the freshness headers of a GET 200 answer.
func parseResponseMeta(h http.Header) ResponseMeta {
	var m ResponseMeta
	m.Stale = parseFreshness(h.Values(headerFreshness))
	if secs, ok := parseFreshFor(h.Values(headerFreshFor)); ok {
		m.HasFreshFor = true
		m.FreshFor = time.Duration(secs) * time.Second
	}
	return m
}

// parseFreshness classifies X-CacheKit-Freshness, given every field line the answer
// carried: no line or the exact token "fresh" is fresh; anything else, including an
// empty value, another case, or several lines (which a recipient would combine into a
// list), is stale.
func parseFreshness(values []string) (stale bool) {
	switch len(values) {
	case 0:
		return false
	case 1:
		return values[0] != "fresh"
	}
	return true
}

// parseFreshFor reads X-CacheKit-Fresh-For, given every field line the answer carried.
// present is false when there is none. Several lines form a list, which is not 1 to 7
// digits, so they read as 0.
func parseFreshFor(values []string) (seconds int64, present bool) {
	switch len(values) {
	case 0:
		return 0, false
	case 1:
		return freshForValue(values[0]), true
	}
	return 0, true
}

// freshForValue returns the number in v when v is 1 to 7 ASCII digits and at most
// 2,592,000, else 0. The length is checked before any conversion, so no long value can
// wrap into range.
func freshForValue(v string) int64 {
	if len(v) < 1 || len(v) > 7 {
		return 0
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	if n > maxFreshForSeconds {
		return 0
	}
	return n
}

// WithResponseMeta returns a context that makes Get record the answer's ResponseMeta in
// *sink. It is backend.WithFreshness, named for this package's readers.
func WithResponseMeta(ctx context.Context, sink *ResponseMeta) context.Context {
	return backend.WithFreshness(ctx, sink)
}

// ReportsFreshness implements backend.FreshnessReporter: Get fills a
// backend.WithFreshness sink from the response headers.
func (b *Backend) ReportsFreshness() bool { return true }
