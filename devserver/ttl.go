package devserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// maxJSONBody bounds the JSON bodies of PATCH and POST requests.
const maxJSONBody = 4 << 10

// serveGetTTL answers GET /v1/cache/{key}/ttl: the seconds until eviction, rounded up
// ({"ttl": N}), {"ttl": null} for an entry that never expires, or 404.
func (s *Server) serveGetTTL(w http.ResponseWriter, r *http.Request, key string) {
	now := s.now()
	rec, found, err := s.load(r.Context(), key, now)
	if err != nil {
		s.storeFailure(w, r, "ttl", err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	if rec.noExpiry() {
		writeJSON(w, http.StatusOK, map[string]any{"ttl": nil})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"ttl": rec.ttlLeft(now)})
}

// servePatchTTL answers PATCH /v1/cache/{key}/ttl {"ttl": N}: a fresh entry (or one
// with no expiry) becomes fresh until floor(now) + N, keeping its stale window; a
// stale entry is 409; an absent key is a 200 no-op.
func (s *Server) servePatchTTL(w http.ResponseWriter, r *http.Request, key string) {
	var body struct {
		TTL json.RawMessage `json:"ttl"`
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil || json.Unmarshal(data, &body) != nil {
		writeError(w, http.StatusBadRequest, `the body must be {"ttl": seconds}`)
		return
	}
	ttl, err := strconv.ParseInt(string(body.TTL), 10, 64)
	if err != nil || ttl < 1 || ttl > MaxTTLSeconds {
		writeError(w, http.StatusBadRequest, "ttl must be a whole number of seconds from 1 to 2592000")
		return
	}
	mu := s.keyLock(key)
	mu.Lock()
	defer mu.Unlock()
	now := s.now()
	rec, found, err := s.load(r.Context(), key, now)
	if err != nil {
		s.storeFailure(w, r, "refresh_ttl", err)
		return
	}
	if !found {
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
		return
	}
	if rec.stateAt(now) == stateStale {
		writeError(w, http.StatusConflict, "the entry is stale; PUT a recomputed value instead")
		return
	}
	if ttl+int64(rec.staleTTL) > MaxTTLSeconds {
		writeError(w, http.StatusBadRequest, "ttl plus the entry's stale window exceeds 2592000 seconds")
		return
	}
	rec.freshUntil = s.stamp(now) + ttl*int64(time.Second)
	if err := s.store.Set(r.Context(), entryPrefix+key, rec.encode(), rec.storeTTL(now, backend.MaxTTL)); err != nil {
		s.storeFailure(w, r, "refresh_ttl", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
