package devserver

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// Storage key prefixes inside the store: entries and locks live apart, so that a lock
// the store keeps as an ordinary entry can never be read or overwritten as a cache
// entry.
const (
	entryPrefix = "ckdev:e:"
	lockPrefix  = "ckdev:l:"
)

// stripes is the number of per-key mutexes serializing writes to the same key, so that
// a PATCH (read, then rewrite) cannot lose a concurrent PUT.
const stripes = 64

// Server is a cachekit.io-compatible API server for development and tests. It is an
// http.Handler; Serve and ListenAndServe run it on a listener. Create it with New.
type Server struct {
	opts    Options
	keys    []apiKey
	store   backend.Backend
	locker  backend.Locker
	ownsSt  bool
	now     func() time.Time
	maxVal  int64
	seed    maphash.Seed
	writeMu [stripes]sync.Mutex

	locksMu sync.Mutex
	locks   map[string]heldLock // by cache key

	srvMu  sync.Mutex
	srv    *http.Server
	closed bool
}

// apiKey is one accepted bearer token and what it may do.
type apiKey struct {
	token []byte
	class keyClass
}

// heldLock is a lock this server handed out, for the health report's active_locks.
type heldLock struct {
	id      string
	expires time.Time
}

// New validates opts and returns a server. Without Options.Backend it creates an
// in-process store, which Close closes.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		opts:   opts,
		now:    opts.now(),
		maxVal: opts.maxValueSize(),
		seed:   maphash.MakeSeed(),
		locks:  make(map[string]heldLock),
	}
	for _, k := range opts.APIKeys {
		c, _ := classify(k)
		s.keys = append(s.keys, apiKey{token: []byte(k), class: c})
	}
	if opts.Backend != nil {
		s.store = opts.Backend
	} else {
		m, err := memory.New(memory.Options{
			MaxValueSize: int(min(s.maxVal+recordHeaderLen, int64(^uint(0)>>1))),
			Now:          s.now,
		})
		if err != nil {
			return nil, fmt.Errorf("devserver: creating the in-process store: %w", err)
		}
		s.store, s.ownsSt = m, true
	}
	s.locker = s.store.(backend.Locker)
	return s, nil
}

// ServeHTTP implements http.Handler: the /v1/cache/ API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Authorization")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	class, ok := s.authenticate(r)
	if !ok {
		h.Set("WWW-Authenticate", `Bearer realm="cachekit"`)
		writeError(w, http.StatusUnauthorized, "missing or unknown API key")
		return
	}
	res, key, rerr := route(r)
	if rerr != nil {
		writeError(w, rerr.status, rerr.msg)
		return
	}
	if !methodAllowed(res, r.Method) {
		h.Set("Allow", allowed[res])
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if class == classSDK {
		switch r.Header.Get("X-CacheKit-L1-Status") {
		case "hit", "miss", "disabled":
		default:
			writeError(w, http.StatusBadRequest, "ck_sdk_ keys must send X-CacheKit-L1-Status: hit, miss or disabled")
			return
		}
	}
	if res == resHealth {
		s.serveHealth(w, r)
		return
	}
	if why := s.checkKey(key); why != "" {
		writeError(w, http.StatusBadRequest, why)
		return
	}
	mutation := !(r.Method == http.MethodGet || r.Method == http.MethodHead)
	if mutation && !mayWrite(class, key) {
		writeError(w, http.StatusForbidden, "this API key may not change keys of that namespace class")
		return
	}
	switch res {
	case resEntry:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.serveGet(w, r, key)
		case http.MethodPut:
			s.servePut(w, r, key)
		case http.MethodDelete:
			s.serveDelete(w, r, key)
		}
	case resTTL:
		if r.Method == http.MethodGet {
			s.serveGetTTL(w, r, key)
		} else {
			s.servePatchTTL(w, r, key)
		}
	case resLock:
		if r.Method == http.MethodPost {
			s.serveAcquire(w, r, key)
		} else {
			s.serveRelease(w, r, key)
		}
	}
}

// authenticate checks the bearer token against every configured key in constant time.
func (s *Server) authenticate(r *http.Request) (keyClass, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return 0, false
	}
	found, class := 0, keyClass(0)
	for _, k := range s.keys {
		if subtle.ConstantTimeCompare(k.token, []byte(token)) == 1 {
			found, class = 1, k.class
		}
	}
	return class, found == 1
}

// keyLock returns the mutex serializing writes to key.
func (s *Server) keyLock(key string) *sync.Mutex {
	return &s.writeMu[maphash.String(s.seed, key)%stripes]
}

// storeFailure answers a failed store call: 503 with Retry-After for an outage, 413
// for a value the store refuses as too large, 500 for anything else.
func (s *Server) storeFailure(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.opts.logger().Warn("devserver: store call failed", "op", op, "method", r.Method, "err", err)
	switch {
	case errors.Is(err, backend.ErrValueTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "value too large")
	case backend.IsRetryable(err):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "the store is temporarily unavailable")
	default:
		writeError(w, http.StatusInternalServerError, "the store failed")
	}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers status with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// Serve accepts connections on l and serves the API until Shutdown or Close, which
// make it return ErrClosed. It closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.srvMu.Lock()
	if s.closed {
		s.srvMu.Unlock()
		_ = l.Close()
		return ErrClosed
	}
	if s.srv == nil {
		s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	}
	srv := s.srv
	s.srvMu.Unlock()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return ErrClosed
	}
	return err
}

// Listen opens the listener ListenAndServe would use: Options.Addr, loopback unless
// Options.AllowRemote. Serve it with Serve; its Addr says which port was chosen.
func (s *Server) Listen() (net.Listener, error) {
	addr := s.opts.addr()
	if !s.opts.AllowRemote {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	return net.Listen("tcp", addr)
}

// ListenAndServe listens on Options.Addr and serves the API until Shutdown or Close.
func (s *Server) ListenAndServe() error {
	l, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// checkLoopback refuses an address whose host is not a loopback IP or "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("devserver: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, addr)
}

// Shutdown stops accepting connections, waits for requests in flight until ctx ends,
// and closes the store the server created. The server cannot be served again.
func (s *Server) Shutdown(ctx context.Context) error {
	s.srvMu.Lock()
	srv, already := s.srv, s.closed
	s.closed = true
	s.srvMu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	if !already && s.ownsSt {
		if c, ok := s.store.(interface{ Close() error }); ok {
			err = errors.Join(err, c.Close())
		}
	}
	return err
}

// Close stops the server at once, dropping requests in flight, and closes the store
// the server created. It is idempotent.
func (s *Server) Close() error {
	s.srvMu.Lock()
	srv, already := s.srv, s.closed
	s.closed = true
	s.srvMu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	if !already && s.ownsSt {
		if c, ok := s.store.(interface{ Close() error }); ok {
			err = errors.Join(err, c.Close())
		}
	}
	return err
}
