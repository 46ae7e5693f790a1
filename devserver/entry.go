package devserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Header names of the API.
const (
	headerTTL       = "X-CacheKit-TTL"
	headerLegacyTTL = "X-TTL"
	headerStaleTTL  = "X-CacheKit-Stale-TTL"
	headerFreshness = "X-CacheKit-Freshness"
	headerFreshFor  = "X-CacheKit-Fresh-For"
	headerLockID    = "X-CacheKit-Lock-Id"
)

// load reads the live entry under key at time now. found is false for an absent,
// evicted or foreign entry.
func (s *Server) load(ctx context.Context, key string, now time.Time) (rec record, found bool, err error) {
	b, found, err := s.store.Get(ctx, entryPrefix+key)
	if err != nil || !found {
		return record{}, false, err
	}
	rec, ok := decodeRecord(b)
	if !ok || rec.stateAt(now) == stateGone {
		return record{}, false, nil
	}
	return rec, true, nil
}

// serveGet answers GET and HEAD /v1/cache/{key}: 200 with X-CacheKit-Freshness (and,
// on GET, X-CacheKit-Fresh-For for an entry that expires), or 404.
func (s *Server) serveGet(w http.ResponseWriter, r *http.Request, key string) {
	now := s.now()
	rec, found, err := s.load(r.Context(), key, now)
	if err != nil {
		s.storeFailure(w, r, "get", err)
		return
	}
	if !found {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	h := w.Header()
	stale := rec.stateAt(now) == stateStale
	if stale {
		h.Set(headerFreshness, "stale")
	} else {
		h.Set(headerFreshness, "fresh")
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	if !rec.noExpiry() {
		freshFor := int64(0)
		if !stale {
			freshFor = rec.freshFor(now)
		}
		h.Set(headerFreshFor, strconv.FormatInt(freshFor, 10))
	}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(rec.value)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rec.value)
}

// servePut answers PUT /v1/cache/{key}: it stores the body with the ttl of
// X-CacheKit-TTL (else the legacy X-TTL; neither means no expiry) and the stale window
// of X-CacheKit-Stale-TTL.
func (s *Server) servePut(w http.ResponseWriter, r *http.Request, key string) {
	if r.ContentLength > s.maxVal {
		writeError(w, http.StatusRequestEntityTooLarge, "value too large")
		return
	}
	ttl, hasTTL, msg := writeTTL(r.Header)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	stale, msg := staleTTL(r.Header, ttl, hasTTL)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	buf, status := s.readValue(w, r)
	if status != 0 {
		writeError(w, status, http.StatusText(status))
		return
	}
	mu := s.keyLock(key)
	mu.Lock()
	defer mu.Unlock()
	now := s.now()
	rec := record{staleTTL: uint32(stale)}
	if hasTTL {
		rec.freshUntil = s.stamp(now) + ttl*int64(time.Second)
	}
	rec.encodeHeader(buf)
	if err := s.store.Set(r.Context(), entryPrefix+key, buf, rec.storeTTL(now, backend.MaxTTL)); err != nil {
		s.storeFailure(w, r, "set", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// readValue reads a PUT body of at most maxVal bytes into a buffer that leaves room for
// the record header in front. status is 413 for a longer body, 400 for a broken one.
func (s *Server) readValue(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	body := http.MaxBytesReader(w, r.Body, s.maxVal)
	if r.ContentLength >= 0 {
		buf := make([]byte, recordHeaderLen+r.ContentLength)
		if _, err := io.ReadFull(body, buf[recordHeaderLen:]); err != nil {
			return nil, http.StatusBadRequest
		}
		return buf, 0
	}
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	buf := make([]byte, recordHeaderLen+len(data))
	copy(buf[recordHeaderLen:], data)
	return buf, 0
}

// serveDelete answers DELETE /v1/cache/{key}: 200 {"success": true} whether or not the
// key existed.
func (s *Server) serveDelete(w http.ResponseWriter, r *http.Request, key string) {
	mu := s.keyLock(key)
	mu.Lock()
	defer mu.Unlock()
	if _, err := s.store.Delete(r.Context(), entryPrefix+key); err != nil {
		s.storeFailure(w, r, "delete", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// writeTTL reads the write's effective ttl: X-CacheKit-TTL, else X-TTL. hasTTL is false
// when neither is present; msg explains a refusal.
func writeTTL(h http.Header) (ttl int64, hasTTL bool, msg string) {
	name := headerTTL
	vals := h.Values(name)
	if len(vals) == 0 {
		name = headerLegacyTTL
		vals = h.Values(name)
	}
	if len(vals) == 0 {
		return 0, false, ""
	}
	if len(vals) > 1 {
		return 0, false, name + " must appear once"
	}
	n, ok := parseSeconds(vals[0])
	if !ok || n < 1 || n > MaxTTLSeconds {
		return 0, false, name + " must be a whole number of seconds from 1 to 2592000"
	}
	return n, true, ""
}

// staleTTL reads X-CacheKit-Stale-TTL, which needs an explicit ttl and shares its
// 30-day cap.
func staleTTL(h http.Header, ttl int64, hasTTL bool) (int64, string) {
	vals := h.Values(headerStaleTTL)
	if len(vals) == 0 {
		return 0, ""
	}
	if len(vals) > 1 {
		return 0, headerStaleTTL + " must appear once"
	}
	n, ok := parseSeconds(vals[0])
	if !ok || n > MaxTTLSeconds-1 {
		return 0, headerStaleTTL + " must be a whole number of seconds from 0 to 2591999"
	}
	if !hasTTL {
		return 0, headerStaleTTL + " needs an explicit " + headerTTL
	}
	if ttl+n > MaxTTLSeconds {
		return 0, "ttl plus stale ttl must not exceed 2592000 seconds"
	}
	return n, ""
}

// parseSeconds reads 1 to 10 ASCII digits.
func parseSeconds(v string) (int64, bool) {
	if len(v) < 1 || len(v) > 10 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, true
}
