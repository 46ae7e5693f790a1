package devserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// storeSecret stands for what a real store's error may carry (a DSN, a host name); the
// server logs it and must never send it to the client.
const storeSecret = "redis://:hunter2@10.0.0.7"

// brokenStore is a working in-process store whose calls named in fail return err.
type brokenStore struct {
	*memory.Backend
	fail map[string]bool
	err  error
}

func (s brokenStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if s.fail["get"] {
		return nil, false, s.err
	}
	return s.Backend.Get(ctx, key)
}

func (s brokenStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if s.fail["set"] {
		return s.err
	}
	return s.Backend.Set(ctx, key, value, ttl)
}

func (s brokenStore) Delete(ctx context.Context, key string) (bool, error) {
	if s.fail["delete"] {
		return false, s.err
	}
	return s.Backend.Delete(ctx, key)
}

func (s brokenStore) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	if s.fail["acquire_lock"] {
		return "", false, s.err
	}
	return s.Backend.AcquireLock(ctx, key, timeout)
}

func (s brokenStore) ReleaseLock(ctx context.Context, key, id string) (bool, error) {
	if s.fail["release_lock"] {
		return false, s.err
	}
	return s.Backend.ReleaseLock(ctx, key, id)
}

// TestStoreFailuresOnEveryRoute: a failing store call on any route is answered 503
// with Retry-After when the failure may pass, 500 otherwise, and the answer never
// carries the store's error text.
func TestStoreFailuresOnEveryRoute(t *testing.T) {
	routes := []struct {
		name   string
		fail   string
		method string
		target string
		body   string
		header []string
	}{
		{"DELETE entry", "delete", "DELETE", "/v1/cache/k", "", nil},
		{"GET ttl", "get", "GET", "/v1/cache/k/ttl", "", nil},
		{"PATCH ttl, reading", "get", "PATCH", "/v1/cache/k/ttl", `{"ttl": 60}`, nil},
		{"PATCH ttl, writing", "set", "PATCH", "/v1/cache/k/ttl", `{"ttl": 60}`, nil},
		{"POST lock", "acquire_lock", "POST", "/v1/cache/k/lock", `{"timeout_ms": 1000}`, nil},
		{"DELETE lock", "release_lock", "DELETE", "/v1/cache/k/lock", "", []string{headerLockID, "some-id"}},
	}
	kinds := []struct {
		kind backend.ErrorKind
		want int
	}{
		{backend.KindTransient, http.StatusServiceUnavailable},
		{backend.KindPermanent, http.StatusInternalServerError},
	}
	for _, rt := range routes {
		for _, k := range kinds {
			t.Run(rt.name+"/"+k.kind.String(), func(t *testing.T) {
				m, err := memory.New(memory.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = m.Close() })
				// A live entry, so that PATCH reaches its write.
				if err := m.Set(t.Context(), entryPrefix+"k", record{}.encode(), time.Minute); err != nil {
					t.Fatal(err)
				}
				berr := backend.NewError(k.kind, "fake", rt.fail, "k", errors.New(storeSecret))
				s, _ := newTestServer(t, func(o *Options) {
					o.Backend = brokenStore{Backend: m, fail: map[string]bool{rt.fail: true}, err: berr}
				})
				w := do(t, s, rt.method, rt.target, rt.body, rt.header...)
				wantStatus(t, w, k.want)
				if got := w.Header().Get("Retry-After"); (k.want == http.StatusServiceUnavailable) != (got != "") {
					t.Errorf("Retry-After = %q on a %d answer", got, k.want)
				}
				if msg, _ := jsonBody(t, w)["error"].(string); msg == "" || strings.Contains(w.Body.String(), "hunter2") {
					t.Errorf("body %q: want an error message without the store's text", w.Body.String())
				}
			})
		}
	}
}

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestBrokenRequestBodies: a body that ends before its declared length, or whose read
// fails, is a 400, and a PUT stores nothing.
func TestBrokenRequestBodies(t *testing.T) {
	s, _ := newTestServer(t, nil)
	send := func(method, target string, body io.Reader, contentLength int64) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, body)
		req.ContentLength = contentLength
		req.Header.Set("Authorization", "Bearer "+liveKey)
		req.Header.Set(headerTTL, "60")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	wantStatus(t, send("PUT", "/v1/cache/short", strings.NewReader("abc"), 10), http.StatusBadRequest)
	wantStatus(t, do(t, s, "GET", "/v1/cache/short", ""), http.StatusNotFound)
	wantStatus(t, send("PUT", "/v1/cache/failing", errReader{}, -1), http.StatusBadRequest)
	wantStatus(t, do(t, s, "GET", "/v1/cache/failing", ""), http.StatusNotFound)
	wantStatus(t, send("POST", "/v1/cache/k/lock", errReader{}, -1), http.StatusBadRequest)
}

// TestHostileKeysAndHeaders: keys that spell a reserved route once decoded, namespaces
// with characters the service refuses, and repeated or overlong ttl headers are 400s.
func TestHostileKeysAndHeaders(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, c := range []struct {
		name   string
		method string
		target string
		header []string
	}{
		{"percent-encoded health", "GET", "/v1/cache/%68ealth", nil},
		{"percent-encoded ttl", "PUT", "/v1/cache/%74tl", []string{headerTTL, "5"}},
		{"percent-encoded lock", "GET", "/v1/cache/%6cock/ttl", nil},
		{"dot in a namespace", "PUT", "/v1/cache/ns:a.b:rest", []string{headerTTL, "5"}},
		{"stale ttl twice", "PUT", "/v1/cache/k", []string{headerTTL, "5", headerStaleTTL, "1", headerStaleTTL, "2"}},
		{"ttl of eleven digits", "PUT", "/v1/cache/k", []string{headerTTL, "00000000005"}},
		{"empty ttl", "PUT", "/v1/cache/k", []string{headerTTL, ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, s, c.method, c.target, "v", c.header...)
			wantStatus(t, w, http.StatusBadRequest)
			jsonBody(t, w)
		})
	}
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", ""), http.StatusNotFound)
}

// TestExpiredLocksLeaveTheHealthCount: a lock that was never released stops counting
// as active once its timeout has passed.
func TestExpiredLocksLeaveTheHealthCount(t *testing.T) {
	s, clk := newTestServer(t, nil)
	if m := jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", `{"timeout_ms": 1000}`)); m["lock_id"] == nil {
		t.Fatalf("POST lock = %v", m)
	}
	if h := jsonBody(t, do(t, s, "GET", "/v1/cache/health", "")); h["active_locks"] != float64(1) {
		t.Fatalf("health = %v, want one active lock", h)
	}
	clk.Advance(time.Second)
	if h := jsonBody(t, do(t, s, "GET", "/v1/cache/health", "")); h["active_locks"] != float64(0) {
		t.Fatalf("health after the timeout = %v, want no active lock", h)
	}
}

// TestServeAfterClose: a closed server refuses to serve and closes the listener it
// was given; ListenAndServe does the same with its own.
func TestServeAfterClose(t *testing.T) {
	s, _ := newTestServer(t, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(l); !errors.Is(err, ErrClosed) {
		t.Fatalf("Serve after Close = %v, want ErrClosed", err)
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on the listener = %v, want it closed", err)
	}
	if err := s.ListenAndServe(); !errors.Is(err, ErrClosed) {
		t.Fatalf("ListenAndServe after Close = %v, want ErrClosed", err)
	}
}

// TestListenAddressErrors: an address without a port is refused before listening,
// with the parse error; "localhost" counts as loopback.
func TestListenAddressErrors(t *testing.T) {
	s, _ := newTestServer(t, func(o *Options) { o.Addr = "127.0.0.1" })
	l, err := s.Listen()
	var ae *net.AddrError
	if l != nil || !errors.As(err, &ae) || errors.Is(err, ErrNotLoopback) {
		t.Fatalf("Listen(127.0.0.1) = %v, %v; want a *net.AddrError", l, err)
	}
	s, _ = newTestServer(t, func(o *Options) { o.Addr = "localhost:0" })
	l, err = s.Listen()
	if err != nil {
		t.Fatalf("Listen(localhost:0) = %v", err)
	}
	_ = l.Close()
}
