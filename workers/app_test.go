package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// quietLogger drops the warning cachekitio logs for AllowInsecureLoopback.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// clearCachekitEnv unsets every CACHEKIT_* variable for the test, so that a developer's
// shell cannot change what the test configures.
func clearCachekitEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CACHEKIT_") {
			t.Setenv(name, "") // registers the restore
			if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// setBindings sets the worker's bindings as worker.mjs would hand them to the program.
func setBindings(t *testing.T, env map[string]string) {
	t.Helper()
	clearCachekitEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func testBindings(devURL, namespace string) map[string]string {
	return map[string]string{
		envDevServerURL:       devURL,
		"CACHEKIT_API_KEY":    testAPIKey,
		"CACHEKIT_MASTER_KEY": testMasterKey,
		"CACHEKIT_NAMESPACE":  namespace,
	}
}

// startNative builds the app from the environment, as main does, and serves it over
// net/http on loopback: the same routes and code as in the Worker, run natively (and
// under the race detector).
func startNative(t *testing.T) *workerClient {
	t.Helper()
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.api.Logger = quietLogger()
	a, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res := a.serve(r.Context(), request{method: r.Method, target: r.URL.RequestURI(), body: body})
		for name, values := range res.header {
			w.Header()[name] = values
		}
		w.WriteHeader(res.status)
		_, _ = w.Write(res.body)
	}))
	t.Cleanup(func() {
		ts.Close()
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	return &workerClient{base: ts.URL}
}

// TestNative runs the workerd scenario against the app on the host.
func TestNative(t *testing.T) {
	dev := startDevServer(t)
	setBindings(t, testBindings(dev.URL, "native"))
	runScenario(t, startNative(t), dev.URL, "native")
}

func TestSecureRoutesNeedAMasterKey(t *testing.T) {
	dev := startDevServer(t)
	env := testBindings(dev.URL, "nokey")
	delete(env, "CACHEKIT_MASTER_KEY")
	setBindings(t, env)
	w := startNative(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		w.do(t, method, "/secure/k", []byte("v"), http.StatusNotImplemented)
	}
	w.do(t, http.MethodPut, "/kv/k", []byte("v"), http.StatusNoContent) // the rest works
}

func TestRequestTargets(t *testing.T) {
	dev := startDevServer(t)
	setBindings(t, testBindings(dev.URL, "targets"))
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.api.Logger = quietLogger()
	a, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })

	// Targets a browser or curl would not send, handed to serve directly.
	for _, tc := range []struct {
		name   string
		target string
		want   int
	}{
		{"absolute-url", "http://example.com/kv/x", http.StatusBadRequest},
		{"not-a-path", "kv/x", http.StatusBadRequest},
		{"empty", "", http.StatusBadRequest},
		{"bad-escape", "/kv/a%zz", http.StatusBadRequest},
		{"escaped-colon-is-part-of-the-key", "/kv/a%3Ab", http.StatusNotFound}, // a miss, not a route error
		{"control-byte-key", "/kv/a%00b", http.StatusBadRequest},
		{"long-key", "/kv/" + strings.Repeat("k", 2000), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := a.serve(t.Context(), request{method: http.MethodGet, target: tc.target})
			if res.status != tc.want {
				t.Fatalf("status %d, want %d; body %q", res.status, tc.want, res.body)
			}
		})
	}
}
