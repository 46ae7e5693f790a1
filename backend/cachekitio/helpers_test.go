package cachekitio

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/devserver"
)

// testAPIKey is the bearer token of every test; tests check it never leaks.
const testAPIKey = "ck_live_T0p-Secret_tok3n"

// quietLogger discards the insecure-loopback warning in tests that do not look at it.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// seen is one request a recording server received.
type seen struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
}

// recorder is an httptest server that records every request and answers with handler.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t *testing.T, handler http.HandlerFunc) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.RequestURI, r.Header.Clone(), body})
		rec.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// waits records the retry waits of a client instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newTestClient returns a client of the loopback server at url whose retry waits are
// recorded, not slept.
func newTestClient(t testing.TB, url string, mod func(*Options)) (*Backend, *waits) {
	t.Helper()
	opts := Options{APIURL: url, APIKey: testAPIKey, AllowInsecureLoopback: true, Logger: quietLogger}
	if mod != nil {
		mod(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	w := &waits{}
	b.wait = w.wait
	t.Cleanup(func() { _ = b.Close() })
	return b, w
}

// newDevServer starts a development server over plain http on loopback.
func newDevServer(t testing.TB, opts devserver.Options) (*devserver.Server, *httptest.Server) {
	t.Helper()
	if opts.APIKeys == nil {
		opts.APIKeys = []string{testAPIKey}
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger
	}
	srv, err := devserver.New(opts)
	if err != nil {
		t.Fatalf("devserver.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	return srv, ts
}

// latin1 turns a vector string, one character per byte (U+0000 to U+00FF), into the
// bytes it stands for.
func latin1(t testing.TB, s string) string {
	t.Helper()
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("vector value has a character above U+00FF: %U", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}
