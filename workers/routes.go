package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
)

// Route prefixes of the value routes.
const (
	kvPrefix     = "/kv/"
	securePrefix = "/secure/"
)

// headerSource names which level answered a GET: "l1" or "backend".
const headerSource = "X-Cachekit-Source"

// serveValue answers PUT, GET and DELETE on one key, through cache (the client or its
// Secure view). segment is the escaped path after the route prefix.
func (a *app) serveValue(ctx context.Context, cache cachekit.Cache, segment string, query url.Values, req request) response {
	if strings.Contains(segment, "/") {
		return errorResponse(http.StatusNotFound, "", "no such route (escape a / in a key as %2F)")
	}
	key, err := url.PathUnescape(segment)
	if err != nil {
		return errorResponse(http.StatusBadRequest, "", "the key is not correctly percent-encoded")
	}
	switch req.method {
	case http.MethodPut:
		return a.put(ctx, cache, key, query, req.body)
	case http.MethodGet:
		return a.get(ctx, cache, key)
	case http.MethodDelete:
		deleted, err := cache.Delete(ctx, key)
		if err != nil {
			return cacheError(err)
		}
		return jsonResponse(http.StatusOK, map[string]bool{"deleted": deleted})
	}
	return notAllowed(http.MethodGet, http.MethodPut, http.MethodDelete)
}

// put stores body under key: as a MessagePack string when it is valid UTF-8, which is
// what the other SDKs read as text, else as MessagePack binary.
func (a *app) put(ctx context.Context, cache cachekit.Cache, key string, query url.Values, body []byte) response {
	var opts []cachekit.SetOption
	if raw, ok := query["ttl"]; ok {
		ttl, why := parseTTL(raw)
		if why != "" {
			return errorResponse(http.StatusBadRequest, cachekit.KindConfig.String(), why)
		}
		opts = append(opts, cachekit.WithTTL(ttl))
	}
	var value any = body
	if utf8.Valid(body) {
		value = string(body)
	}
	if err := cache.Set(ctx, key, value, opts...); err != nil {
		return cacheError(err)
	}
	return response{status: http.StatusNoContent, header: http.Header{}}
}

// parseTTL reads the ttl query parameter: one whole number of seconds from 1 to
// cachekitio.MaxTTL. It returns the reason when the parameter is not that.
func parseTTL(raw []string) (time.Duration, string) {
	maxSecs := int64(cachekitio.MaxTTL / time.Second)
	if len(raw) != 1 {
		return 0, "give the ttl parameter once"
	}
	secs, err := strconv.ParseInt(raw[0], 10, 64)
	if err != nil || secs < 1 || secs > maxSecs {
		return 0, "ttl must be a whole number of seconds from 1 to " + strconv.FormatInt(maxSecs, 10)
	}
	return time.Duration(secs) * time.Second, ""
}

// get answers the value stored under key, saying in headerSource whether the L1
// answered.
//
// Whether the L1 answered comes from the client's counters around the call: one more
// L1 hit and no new L2 hit or miss. Concurrent requests cannot blur this under js/wasm:
// the program runs on one thread and switches goroutines only where one blocks, and an
// L1 hit does not block, so nothing else is counted between the two snapshots then. A
// read that goes to the backend adds an L2 hit or a miss of its own, so it is never
// taken for an L1 hit. (On a multi-threaded platform the report could be wrong under
// concurrency; it is only ever a report.)
func (a *app) get(ctx context.Context, cache cachekit.Cache, key string) response {
	before := a.client.Stats()
	var value any
	found, err := cache.Get(ctx, key, &value)
	after := a.client.Stats()
	if err != nil {
		return cacheError(err)
	}
	if !found {
		return errorResponse(http.StatusNotFound, "", "no entry under that key")
	}
	source := "backend"
	if after.L1Hits > before.L1Hits && after.L2Hits == before.L2Hits && after.Misses == before.Misses {
		source = "l1"
	}
	r := response{status: http.StatusOK, header: http.Header{}}
	switch v := value.(type) {
	case string:
		r.header.Set("Content-Type", "text/plain; charset=utf-8")
		r.body = []byte(v)
	case []byte:
		r.header.Set("Content-Type", "application/octet-stream")
		r.body = v
	default:
		// Written by another SDK as a number, list, map, ...: its JSON form.
		body, err := json.Marshal(v)
		if err != nil {
			return errorResponse(http.StatusInternalServerError, cachekit.KindSerialization.String(),
				"the stored value has no JSON form")
		}
		r.header.Set("Content-Type", "application/json")
		r.body = body
	}
	r.header.Set(headerSource, source)
	return r
}

// statsBody is the JSON form of cachekit.Stats.
type statsBody struct {
	L1Hits        uint64            `json:"l1_hits"`
	L2Hits        uint64            `json:"l2_hits"`
	Misses        uint64            `json:"misses"`
	L1Entries     int               `json:"l1_entries"`
	L1Bytes       int64             `json:"l1_bytes"`
	L1Evictions   uint64            `json:"l1_evictions"`
	L1Expirations uint64            `json:"l1_expirations"`
	Errors        map[string]uint64 `json:"errors"`
}

func (a *app) serveStats() response {
	s := a.client.Stats()
	body := statsBody{
		L1Hits:        s.L1Hits,
		L2Hits:        s.L2Hits,
		Misses:        s.Misses,
		L1Entries:     s.L1Entries,
		L1Bytes:       s.L1Bytes,
		L1Evictions:   s.L1Evictions,
		L1Expirations: s.L1Expirations,
		Errors:        make(map[string]uint64, len(s.Errors)),
	}
	for k, n := range s.Errors {
		body.Errors[k.String()] = n
	}
	return jsonResponse(http.StatusOK, body)
}

// healthBody is the JSON form of backend.HealthStatus.
type healthBody struct {
	Healthy   bool              `json:"healthy"`
	Backend   string            `json:"backend"`
	LatencyMS float64           `json:"latency_ms"`
	Details   map[string]string `json:"details,omitempty"`
}

func (a *app) serveHealth(ctx context.Context) response {
	h, err := a.client.Health(ctx)
	if err != nil {
		return cacheError(err)
	}
	status := http.StatusOK
	if !h.Healthy {
		status = http.StatusServiceUnavailable
	}
	return jsonResponse(status, healthBody{
		Healthy:   h.Healthy,
		Backend:   h.Backend,
		LatencyMS: float64(h.Latency) / float64(time.Millisecond),
		Details:   h.Details,
	})
}
