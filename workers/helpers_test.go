package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/devserver"
)

// Test credentials, all made up for the test.
const (
	testAPIKey    = "ck_live_workerd_test"
	testMasterKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"
)

// startDevServer runs a devserver on 127.0.0.1 for the test's lifetime.
func startDevServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, err := devserver.New(devserver.Options{APIKeys: []string{testAPIKey}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	return ts
}

// workerClient sends requests to one worker.
type workerClient struct {
	base string
}

var workerHTTP = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

func (w *workerClient) try(method, target string, body []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, w.base+target, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	resp, err := workerHTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, errors.Join(errors.New("reading the body"), err)
	}
	return resp.StatusCode, resp.Header, b, nil
}

// do sends one request and fails the test unless the status is want.
func (w *workerClient) do(t *testing.T, method, target string, body []byte, want int) (http.Header, []byte) {
	t.Helper()
	status, h, b, err := w.try(method, target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body %q", method, target, status, want, b)
	}
	return h, b
}
