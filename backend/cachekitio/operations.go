package cachekitio

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

var jsonUnmarshal = json.Unmarshal

// FreshnessReporter is implemented by backends whose reads say how fresh a value is.
// The cachekit client finds it by type assertion and, on an L2 hit, decides with
// ResponseMeta.L1TTL whether and for how long the value may enter its L1: a stale
// value is returned to the caller but never cached locally, and a server's Fresh-For
// bounds the local lifetime.
type FreshnessReporter interface {
	// GetWithMeta is backend.Backend.Get that also returns what the answer said about
	// the value's freshness. meta is the zero value (fresh, no bound) on a miss.
	GetWithMeta(ctx context.Context, key string) (value []byte, meta ResponseMeta, found bool, err error)
}

// Get implements backend.Backend: GET /v1/cache/{key}. A 404 is a miss. A stale value
// is returned like a fresh one; use GetWithMeta to tell them apart.
//
// When ctx carries a sink from backend.WithFreshness, Get also fills it in, so a caller
// whose backend is wrapped in middleware (which hides GetWithMeta) still learns the
// answer's freshness.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, meta, found, err := b.GetWithMeta(ctx, key)
	if sink := backend.FreshnessSink(ctx); sink != nil {
		*sink = meta
	}
	return v, found, err
}

// GetWithMeta implements FreshnessReporter.
func (b *Backend) GetWithMeta(ctx context.Context, key string) ([]byte, ResponseMeta, bool, error) {
	const op = "get"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return nil, ResponseMeta{}, false, err
	}
	c := keyCall(op, http.MethodGet, key, "")
	var (
		value []byte
		meta  ResponseMeta
		found bool
	)
	err := b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			value, meta, found = nil, ResponseMeta{}, false
			return nil
		case resp.StatusCode == http.StatusOK:
			data, err := b.readBody(ctx, c, resp, b.maxResponse)
			if err != nil {
				return err
			}
			value, meta, found = data, parseResponseMeta(resp.Header), true
			return nil
		}
		return b.statusError(c, resp)
	})
	if err != nil {
		return nil, ResponseMeta{}, false, err
	}
	return value, meta, found, nil
}

// Set implements backend.Backend: PUT /v1/cache/{key} with X-CacheKit-TTL. ttl <= 0
// fails with an error wrapping backend.ErrInvalidTTL, a fraction of a second rounds up,
// and more than MaxTTL fails with ErrTTLTooLong, all before any request. A 413 answer
// fails with an error wrapping backend.ErrValueTooLarge. The value is not retained.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	const op = "set"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return err
	}
	secs, err := ttlSeconds(ttl)
	if err != nil {
		return permanent(op, key, err)
	}
	c := keyCall(op, http.MethodPut, key, "")
	c.header = map[string]string{headerTTL: strconv.FormatInt(secs, 10)}
	c.contentType = "application/octet-stream"
	c.body = value
	if c.body == nil {
		c.body = []byte{}
	}
	return b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		if isSuccess(resp.StatusCode) {
			return nil
		}
		return b.statusError(c, resp)
	})
}

// Delete implements backend.Backend. The API's DELETE answers {"success": true}
// whether or not the key existed, so Delete first asks HEAD whether it does and reports
// deleted == true only when it did and the DELETE succeeded: two requests, and a write
// or delete by someone else between them can make the report stale. (An older server's
// 404 answer to DELETE also reads as false.)
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	const op = "delete"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return false, err
	}
	existed, err := b.exists(ctx, op, key)
	if err != nil {
		return false, err
	}
	c := keyCall(op, http.MethodDelete, key, "")
	deleted := false
	err = b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			deleted = false
			return nil
		case isSuccess(resp.StatusCode):
			var body struct {
				Success *bool `json:"success"`
			}
			if err := b.decodeOptionalJSON(ctx, c, resp, &body); err != nil {
				return err
			}
			deleted = body.Success == nil || *body.Success
			return nil
		}
		return b.statusError(c, resp)
	})
	if err != nil {
		return false, err
	}
	return existed && deleted, nil
}

// Exists implements backend.Backend: HEAD /v1/cache/{key}, 200 or 404. The freshness
// header of a HEAD answer is informational and ignored.
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	const op = "exists"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return false, err
	}
	return b.exists(ctx, op, key)
}

func (b *Backend) exists(ctx context.Context, op, key string) (bool, error) {
	c := keyCall(op, http.MethodHead, key, "")
	found := false
	err := b.roundTrip(ctx, c, func(_ context.Context, resp *http.Response) error {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			found = false
			return nil
		case isSuccess(resp.StatusCode):
			found = true
			return nil
		}
		return b.statusError(c, resp)
	})
	return found, err
}

// Health implements backend.Backend: GET /v1/cache/health. Healthy is true for a 200
// answer whose status is "ok"; Details carries "status", "cache_entries" and
// "active_locks" as the server reported them. An unsuccessful answer returns the
// error as well as the status.
func (b *Backend) Health(ctx context.Context) (backend.HealthStatus, error) {
	const op = "health"
	hs := backend.HealthStatus{Backend: name, Details: map[string]string{"api_url": b.ep.scheme + "://" + b.ep.host}}
	if err := b.checkCall(ctx, op, "", false); err != nil {
		return hs, err
	}
	c := &call{op: op, method: http.MethodGet, path: "health", rawPath: "health", idempotent: true}
	start := time.Now()
	err := b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			return b.statusError(c, resp)
		}
		var body struct {
			Status       string           `json:"status"`
			CacheEntries *json.RawMessage `json:"cache_entries"`
			ActiveLocks  *json.RawMessage `json:"active_locks"`
		}
		if err := b.decodeJSON(ctx, c, resp, &body); err != nil {
			return err
		}
		hs.Healthy = body.Status == "ok"
		hs.Details["status"] = body.Status
		if n, ok := jsonInt(body.CacheEntries); ok {
			hs.Details["cache_entries"] = strconv.FormatInt(n, 10)
		}
		if n, ok := jsonInt(body.ActiveLocks); ok {
			hs.Details["active_locks"] = strconv.FormatInt(n, 10)
		}
		return nil
	})
	hs.Latency = time.Since(start)
	if err != nil {
		hs.Healthy = false
		return hs, err
	}
	return hs, nil
}

// jsonInt reads a JSON integer, reporting false for null, absence or anything else.
func jsonInt(raw *json.RawMessage) (int64, bool) {
	if raw == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(*raw), 10, 64)
	return n, err == nil
}
