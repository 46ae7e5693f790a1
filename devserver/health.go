package devserver

import "net/http"

// serveHealth answers GET /v1/cache/health: {"status": "ok", "cache_entries": n,
// "active_locks": n}, or 503 {"status": "error"} when the store is unhealthy.
// cache_entries is the store's entry count when it can tell (package memory can),
// less the locks it holds, and may include entries that expired but were not yet
// collected; active_locks counts the locks this server handed out that are still held.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	hs, err := s.store.Health(r.Context())
	if err != nil || !hs.Healthy {
		if err != nil {
			s.opts.logger().Warn("devserver: store health check failed", "err", err)
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "error"})
		return
	}
	locks := s.activeLocks()
	entries := 0
	if l, ok := s.store.(interface{ Len() int }); ok {
		entries = l.Len()
		if s.ownsSt {
			entries = max(0, entries-locks)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "cache_entries": entries, "active_locks": locks})
}
