package devserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveAcquire answers POST /v1/cache/{key}/lock {"timeout_ms": N}: 200
// {"lock_id": "<id>"} when taken, 200 {"lock_id": null} when another holder has it.
func (s *Server) serveAcquire(w http.ResponseWriter, r *http.Request, key string) {
	timeout := DefaultLockTimeout
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body could not be read")
		return
	}
	if len(bytes.TrimSpace(data)) > 0 {
		var body struct {
			TimeoutMS json.RawMessage `json:"timeout_ms"`
		}
		if json.Unmarshal(data, &body) != nil {
			writeError(w, http.StatusBadRequest, `the body must be {"timeout_ms": milliseconds}`)
			return
		}
		if len(body.TimeoutMS) > 0 && string(body.TimeoutMS) != "null" {
			ms, err := strconv.ParseInt(string(body.TimeoutMS), 10, 64)
			if err != nil || ms < 1 || ms > MaxTTLSeconds*1000 {
				writeError(w, http.StatusBadRequest, "timeout_ms must be a whole number from 1 to 2592000000")
				return
			}
			timeout = time.Duration(ms) * time.Millisecond
		}
	}
	id, ok, err := s.locker.AcquireLock(r.Context(), lockPrefix+key, timeout)
	if err != nil {
		s.storeFailure(w, r, "acquire_lock", err)
		return
	}
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"lock_id": nil})
		return
	}
	s.locksMu.Lock()
	s.locks[key] = heldLock{id: id, expires: s.now().Add(timeout)}
	s.locksMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"lock_id": id})
}

// serveRelease answers DELETE /v1/cache/{key}/lock: the id comes from the
// X-CacheKit-Lock-Id header, else the legacy lock_id query parameter; without either it
// is 400. 200 {"success": true} when the id held the lock and it is now released,
// {"success": false} otherwise.
func (s *Server) serveRelease(w http.ResponseWriter, r *http.Request, key string) {
	id := strings.TrimSpace(r.Header.Get(headerLockID))
	if id == "" {
		id = strings.TrimSpace(r.URL.Query().Get("lock_id"))
	}
	if id == "" {
		writeError(w, http.StatusBadRequest, "the lock id is missing (send X-CacheKit-Lock-Id)")
		return
	}
	released, err := s.locker.ReleaseLock(r.Context(), lockPrefix+key, id)
	if err != nil {
		s.storeFailure(w, r, "release_lock", err)
		return
	}
	if released {
		s.locksMu.Lock()
		if l, ok := s.locks[key]; ok && l.id == id {
			delete(s.locks, key)
		}
		s.locksMu.Unlock()
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": released})
}

// activeLocks counts the locks this server handed out that are neither released nor
// expired, forgetting the expired ones.
func (s *Server) activeLocks() int {
	now := s.now()
	s.locksMu.Lock()
	defer s.locksMu.Unlock()
	for k, l := range s.locks {
		if !now.Before(l.expires) {
			delete(s.locks, k)
		}
	}
	return len(s.locks)
}
