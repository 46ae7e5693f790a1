package cachekitio

import (
	"context"
	"net/http"
	"time"
)

// Response headers of a GET that describe the value's freshness.
const (
	headerFreshness = "X-Cachekit-Freshness"
	headerFreshFor  = "X-Cachekit-Fresh-For"
)

// maxFreshForSeconds is the largest valid X-CacheKit-Fresh-For: the 30-day TTL cap.
const maxFreshForSeconds = 2_592_000

// ResponseMeta is what a GET's headers say about the value it returned. The cachekit
// client uses it to decide whether, and for how long, the value may enter its L1; see
// L1TTL.
type ResponseMeta struct {
	// Stale is true when the server served the entry after its fresh lifetime, inside
	// its stale window: X-CacheKit-Freshness was present and not exactly "fresh". A
	// stale value is returned to the caller but never cached locally.
	Stale bool
	// HasFreshFor is false when the answer carried no X-CacheKit-Fresh-For (an entry
	// with no expiry, or a server that predates the header).
	HasFreshFor bool
	// FreshFor is the server's remaining freshness when HasFreshFor: whole seconds, 0
	// for an invalid header value (anything but 1 to 7 ASCII digits up to 2,592,000).
	FreshFor time.Duration
}

// L1TTL applies the API's backfill rule to a value just read: it returns how long a
// local copy may be kept, at most localTTL, and ok == false when the value must not be
// cached locally at all. A stale answer and a Fresh-For of 0 are never cached; a
// positive Fresh-For bounds the local lifetime to min(localTTL, FreshFor); an absent
// Fresh-For leaves localTTL as it is.
func (m ResponseMeta) L1TTL(localTTL time.Duration) (ttl time.Duration, ok bool) {
	if m.Stale || localTTL <= 0 {
		return 0, false
	}
	if !m.HasFreshFor {
		return localTTL, true
	}
	if m.FreshFor <= 0 {
		return 0, false
	}
	return min(localTTL, m.FreshFor), true
}

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

type metaSinkKey struct{}

// WithResponseMeta returns a context that makes Get record the answer's ResponseMeta in
// *sink (the zero value on a miss or an error). It reaches the backend through any
// middleware that passes the context on, such as package reliability, where a type
// assertion to FreshnessReporter would not. The sink must not be shared between
// concurrent calls.
func WithResponseMeta(ctx context.Context, sink *ResponseMeta) context.Context {
	return context.WithValue(ctx, metaSinkKey{}, sink)
}
