package cachekitio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TTL implements backend.TTLInspector: GET /v1/cache/{key}/ttl. {"ttl": N} is N
// seconds, {"ttl": null} an entry with no expiry (backend.NoExpiry), and 404 an absent
// key. The server counts until the entry is evicted, so an entry in its stale window
// still reports a positive ttl.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	const op = "ttl"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return 0, false, err
	}
	c := keyCall(op, http.MethodGet, key, "/ttl")
	var (
		ttl   time.Duration
		found bool
	)
	err := b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		switch resp.StatusCode {
		case http.StatusNotFound:
			ttl, found = 0, false
			return nil
		case http.StatusOK:
			var body struct {
				TTL json.RawMessage `json:"ttl"`
			}
			if err := b.decodeJSON(ctx, c, resp, &body); err != nil {
				return err
			}
			if len(body.TTL) == 0 || string(body.TTL) == "null" {
				ttl, found = backend.NoExpiry, true
				return nil
			}
			n, err := strconv.ParseInt(string(body.TTL), 10, 64)
			if err != nil || n < 0 || n > int64(backend.MaxTTL/time.Second) {
				// The value came from outside the client: the API key is scrubbed out of
				// it before it is cut, so that no part of the key reaches the message.
				return permanent(op, key, fmt.Errorf("%w: ttl %s is not a whole number of seconds", ErrMalformedResponse,
					truncateForError([]byte(b.scrub.scrub(string(body.TTL))))))
			}
			ttl, found = time.Duration(n)*time.Second, true
			return nil
		}
		return b.statusError(c, resp)
	})
	if err != nil {
		return 0, false, err
	}
	return ttl, found, nil
}

// RefreshTTL implements backend.TTLInspector: PATCH /v1/cache/{key}/ttl {"ttl": N}.
// The ttl rules of Set apply. The API answers 200 for an absent key too (a no-op), so
// after a successful PATCH RefreshTTL asks HEAD whether the key exists and reports
// that; a write or delete by someone else in between can make the report stale. A 409
// (the entry is in its stale window, and only a new Set renews it) fails with an error
// wrapping ErrEntryStale.
func (b *Backend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	const op = "refresh_ttl"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return false, err
	}
	secs, err := ttlSeconds(ttl)
	if err != nil {
		return false, permanent(op, key, err)
	}
	c := keyCall(op, http.MethodPatch, key, "/ttl")
	c.contentType = "application/json"
	c.body = []byte(`{"ttl":` + strconv.FormatInt(secs, 10) + `}`)
	absent := false
	err = b.roundTrip(ctx, c, func(_ context.Context, resp *http.Response) error {
		switch {
		case isSuccess(resp.StatusCode):
			return nil
		case resp.StatusCode == http.StatusNotFound:
			absent = true // not in the spec, but unambiguous
			return nil
		case resp.StatusCode == http.StatusConflict:
			serr := b.statusError(c, resp)
			return permanent(op, key, fmt.Errorf("%w: %w", ErrEntryStale, serr))
		}
		return b.statusError(c, resp)
	})
	if err != nil || absent {
		return false, err
	}
	return b.exists(ctx, op, key)
}

// truncateForError keeps error messages short when quoting server data.
func truncateForError(b []byte) string {
	const limit = 32
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + "..."
	}
	return strconv.Quote(string(b))
}
