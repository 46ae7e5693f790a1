package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
)

// The scenario both the native test (app_test.go) and the workerd test run against a
// worker: every check that needs an independent witness asks the devserver directly,
// through a cachekit client running on the host.

// hostClients reach the devserver from the test process, not through the worker.
type hostClients struct {
	raw    *cachekitio.Backend    // the stored bytes, as the API holds them
	plain  *cachekit.Client       // the same namespace, without an L1
	secure *cachekit.SecureClient // the same namespace and master key
}

func newHostClients(t *testing.T, devURL, namespace string) *hostClients {
	t.Helper()
	raw, err := cachekitio.New(cachekitio.Options{
		APIURL: devURL, APIKey: testAPIKey, AllowInsecureLoopback: true, MaxRetries: -1,
		Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	c, err := cachekit.New(cachekit.Options{
		Backend:   raw,
		Namespace: namespace,
		L1:        cachekit.L1Options{Disabled: true},
		MasterKey: testMasterKey,
		Env:       func(string) (string, bool) { return "", false },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	s, err := c.Secure()
	if err != nil {
		t.Fatal(err)
	}
	return &hostClients{raw: raw, plain: c, secure: s}
}

// workerStats reads GET /stats.
func workerStats(t *testing.T, w *workerClient) statsBody {
	t.Helper()
	_, b := w.do(t, http.MethodGet, "/stats", nil, http.StatusOK)
	var s statsBody
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("GET /stats: %v in %q", err, b)
	}
	return s
}

// wantDeleted checks a DELETE answer.
func wantDeleted(t *testing.T, w *workerClient, target string, want bool) {
	t.Helper()
	_, b := w.do(t, http.MethodDelete, target, nil, http.StatusOK)
	var got struct{ Deleted *bool }
	if err := json.Unmarshal(b, &got); err != nil || got.Deleted == nil {
		t.Fatalf("DELETE %s: body %q is not {\"deleted\": bool}", target, b)
	}
	if *got.Deleted != want {
		t.Fatalf("DELETE %s: deleted = %v, want %v", target, *got.Deleted, want)
	}
}

// wantValue checks a GET answer's body and source.
func wantValue(t *testing.T, w *workerClient, target string, want []byte, source string) {
	t.Helper()
	h, b := w.do(t, http.MethodGet, target, nil, http.StatusOK)
	if !bytes.Equal(b, want) {
		t.Fatalf("GET %s = %q, want %q", target, b, want)
	}
	if got := h.Get(headerSource); got != source {
		t.Fatalf("GET %s: %s = %q, want %q", target, headerSource, got, source)
	}
}

func runScenario(t *testing.T, w *workerClient, devURL, namespace string) {
	host := newHostClients(t, devURL, namespace)
	ctx := context.Background()

	t.Run("set-get", func(t *testing.T) {
		w.do(t, http.MethodPut, "/kv/greeting", []byte("hello, workers"), http.StatusNoContent)
		// Write-through: the worker's own write is in its L1.
		wantValue(t, w, "/kv/greeting", []byte("hello, workers"), "l1")
		got, found, err := cachekit.Get[string](ctx, host.plain, "greeting")
		if err != nil || !found || got != "hello, workers" {
			t.Fatalf("the devserver holds (%q, %v, %v), want the worker's value", got, found, err)
		}
	})

	t.Run("l1-hit-inside-the-isolate", func(t *testing.T) {
		if err := host.plain.Set(ctx, "from-host", "written by the host"); err != nil {
			t.Fatal(err)
		}
		before := workerStats(t, w)
		wantValue(t, w, "/kv/from-host", []byte("written by the host"), "backend")
		wantValue(t, w, "/kv/from-host", []byte("written by the host"), "l1")
		after := workerStats(t, w)
		if d := after.L1Hits - before.L1Hits; d != 1 {
			t.Errorf("l1_hits grew by %d, want 1", d)
		}
		if d := after.L2Hits - before.L2Hits; d != 1 {
			t.Errorf("l2_hits grew by %d, want 1", d)
		}
		if after.L1Entries < 1 {
			t.Errorf("l1_entries = %d, want at least 1", after.L1Entries)
		}
	})

	t.Run("binary-value", func(t *testing.T) {
		blob := []byte{0x00, 0xff, 0xfe, 0x80, 'x'}
		w.do(t, http.MethodPut, "/kv/blob", blob, http.StatusNoContent)
		wantValue(t, w, "/kv/blob", blob, "l1")
		got, found, err := cachekit.Get[[]byte](ctx, host.plain, "blob")
		if err != nil || !found || !bytes.Equal(got, blob) {
			t.Fatalf("the devserver holds (%x, %v, %v), want %x", got, found, err, blob)
		}
	})

	t.Run("ttl", func(t *testing.T) {
		w.do(t, http.MethodPut, "/kv/short?ttl=60", []byte("brief"), http.StatusNoContent)
		ttl, found, err := host.plain.TTL(ctx, "short")
		if err != nil || !found || ttl <= 0 || ttl > 60*time.Second {
			t.Fatalf("TTL = (%v, %v, %v), want (0, 60s]", ttl, found, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		wantDeleted(t, w, "/kv/greeting", true)
		w.do(t, http.MethodGet, "/kv/greeting", nil, http.StatusNotFound)
		if _, found, err := cachekit.Get[string](ctx, host.plain, "greeting"); err != nil || found {
			t.Fatalf("after DELETE the devserver still answers (found %v, err %v)", found, err)
		}
		wantDeleted(t, w, "/kv/greeting", false)
	})

	t.Run("secure-round-trip", func(t *testing.T) {
		const ssn = "123-45-6789"
		w.do(t, http.MethodPut, "/secure/ssn", []byte(ssn), http.StatusNoContent)
		wantValue(t, w, "/secure/ssn", []byte(ssn), "l1")

		raw, found, err := host.raw.Get(ctx, namespace+":ssn")
		if err != nil || !found || len(raw) == 0 {
			t.Fatalf("the devserver holds (%d bytes, %v, %v) under %s:ssn", len(raw), found, err, namespace)
		}
		if bytes.Contains(raw, []byte(ssn)) {
			t.Fatalf("the devserver holds the plaintext: %x", raw)
		}
		// The host's client decrypts what the wasm program encrypted, and the other way round.
		got, found, err := cachekit.Get[string](ctx, host.secure, "ssn")
		if err != nil || !found || got != ssn {
			t.Fatalf("the host's Secure client reads (%q, %v, %v), want %q", got, found, err, ssn)
		}
		if err := host.secure.Set(ctx, "from-host-secret", "sealed on the host"); err != nil {
			t.Fatal(err)
		}
		wantValue(t, w, "/secure/from-host-secret", []byte("sealed on the host"), "backend")
		wantValue(t, w, "/secure/from-host-secret", []byte("sealed on the host"), "l1")
		wantDeleted(t, w, "/secure/from-host-secret", true)
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			method, target string
			want           int
		}{
			{http.MethodGet, "/kv/", http.StatusBadRequest},          // empty key
			{http.MethodPut, "/kv/x?ttl=0", http.StatusBadRequest},   // a ttl must be positive
			{http.MethodPut, "/kv/x?ttl=abc", http.StatusBadRequest}, // not a number
			{http.MethodGet, "/kv/never-written", http.StatusNotFound},
			{http.MethodGet, "/kv/a/b", http.StatusNotFound},
			{http.MethodGet, "/nowhere", http.StatusNotFound},
			{http.MethodPost, "/kv/x", http.StatusMethodNotAllowed},
			{http.MethodPost, "/stats", http.StatusMethodNotAllowed},
		} {
			_, b := w.do(t, tc.method, tc.target, []byte("v"), tc.want)
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
				t.Errorf("%s %s: body %q is not an error answer", tc.method, tc.target, b)
			}
		}
	})

	t.Run("health", func(t *testing.T) {
		_, b := w.do(t, http.MethodGet, "/health", nil, http.StatusOK)
		var h healthBody
		if err := json.Unmarshal(b, &h); err != nil || !h.Healthy {
			t.Fatalf("GET /health = %q (%v)", b, err)
		}
	})

	t.Run("concurrent-requests", func(t *testing.T) {
		// Requests overlapping in one isolate share one Go program: each one's fetches
		// must still complete, whichever request's event resumed the program.
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("/kv/concurrent-%d", i)
				val := []byte(fmt.Sprintf("value %d", i))
				if status, _, b, err := w.try(http.MethodPut, key, val); err != nil || status != http.StatusNoContent {
					errs <- fmt.Errorf("PUT %s: %d %q %v", key, status, b, err)
					return
				}
				if status, _, b, err := w.try(http.MethodDelete, key, nil); err != nil || status != http.StatusOK {
					errs <- fmt.Errorf("DELETE %s: %d %q %v", key, status, b, err)
					return
				}
				if status, _, b, err := w.try(http.MethodGet, key, nil); err != nil || status != http.StatusNotFound {
					errs <- fmt.Errorf("GET %s: %d %q %v", key, status, b, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("only-the-expected-errors-counted", func(t *testing.T) {
		// The empty key is the one request above that reached the client and failed.
		for kind, n := range workerStats(t, w).Errors {
			if kind != cachekit.KindInvalidKey.String() {
				t.Errorf("the worker counted %d errors of kind %s", n, kind)
			}
		}
	})
}
