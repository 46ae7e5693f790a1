package devserver

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

const (
	liveKey   = "ck_live_devtest"
	sdkKey    = "ck_sdk_devtest"
	directKey = "ck_api_devtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newTestServer returns a server over its own store with a hand-moved clock that
// starts 300 ms into a second, so whole-second stamping shows.
func newTestServer(t *testing.T, mod func(*Options)) (*Server, *testclock.Clock) {
	t.Helper()
	clk := testclock.New(time.Date(2026, 3, 4, 5, 6, 7, 300_000_000, time.UTC))
	opts := Options{APIKeys: []string{liveKey, sdkKey, directKey}, Now: clk.Now, Logger: quiet}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, clk
}

// do sends one request straight to the handler; header pairs are name, value.
func do(t *testing.T, s *Server, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	req.Header.Set("Authorization", "Bearer "+liveKey)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "<unset>" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// wantStatus fails unless w has the status.
func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d (%s), want %d", w.Code, strings.TrimSpace(w.Body.String()), status)
	}
}

// jsonBody decodes w's body.
func jsonBody(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", w.Body.String(), err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	return m
}
