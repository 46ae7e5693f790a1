package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func TestServeRunsTheDevServer(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr testserver.OutputBuffer
	done := make(chan int, 1)
	go func() {
		e := &env{stdout: pw, stderr: &stderr, lookup: func(string) (string, bool) { return "", false }}
		done <- run(ctx, e, []string{"serve", "-api-key", "ck_live_serve_test"})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output; stderr %q", stderr.String())
	}
	line := sc.Text()
	_, url, ok := strings.Cut(line, "listening on ")
	if !ok {
		t.Fatalf("first line %q does not give the URL", line)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v1/cache/health", nil)
	req.Header.Set("Authorization", "Bearer ck_live_serve_test")
	req.Header.Set("X-CacheKit-L1-Status", "disabled")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health answered %d", resp.StatusCode)
	}
	http.DefaultClient.CloseIdleConnections()

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exited %d; stderr %q", code, stderr.String())
	}
}

func TestServeHelpAndBadFlags(t *testing.T) {
	r := runCLI(t, nil, "serve", "-h")
	if r.code != exitOK || !strings.Contains(r.stdout, "-api-key") {
		t.Errorf("serve -h: exit %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, nil, "serve", "-addr", "0.0.0.0:0")
	if r.code != exitFailure || !strings.Contains(r.stderr, "loopback") {
		t.Errorf("serve on all interfaces: exit %d stderr %q", r.code, r.stderr)
	}
}
