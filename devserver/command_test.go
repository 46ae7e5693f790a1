package devserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestExactTimes(t *testing.T) {
	for _, exact := range []bool{false, true} {
		s, clk := newTestServer(t, func(o *Options) { o.ExactTimes = exact })
		wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "v", "X-CacheKit-TTL", "1"), 200)
		clk.Advance(800 * time.Millisecond) // 08.1 s: past floor(07.3)+1 = 08.0, before 08.3
		want := 404
		if exact {
			want = 200
		}
		wantStatus(t, do(t, s, "GET", "/v1/cache/k", ""), want)
	}
}

func TestListenRefusesRemote(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:80"} {
		s, _ := newTestServer(t, func(o *Options) { o.Addr = addr })
		if l, err := s.Listen(); !errors.Is(err, ErrNotLoopback) {
			if l != nil {
				l.Close()
			}
			t.Errorf("Listen(%q) error = %v, want ErrNotLoopback", addr, err)
		}
	}
}

// TestCommand starts `cachekit serve`, reads the URL and the made-up key it prints,
// calls the server, and stops it by ending the context.
func TestCommand(t *testing.T) {
	t.Setenv("CACHEKIT_API_KEY", "")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Command(ctx, []string{"-addr", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url, key string
	urlRE := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for sc.Scan() {
		line := sc.Text()
		if m := urlRE.FindStringSubmatch(line); m != nil {
			url = m[1]
		}
		if k, ok := strings.CutPrefix(line, "API key: "); ok {
			key = k
		}
		if strings.HasPrefix(line, "connect with") {
			break
		}
	}
	if url == "" || !strings.HasPrefix(key, PrefixLive) {
		cancel()
		t.Fatalf("Command printed url %q and key %q", url, key)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url+"/v1/cache/health", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != 200 {
		t.Errorf("health through the command's server = %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Command returned %v after its context ended, want nil", err)
	}
}

func TestCommandFlags(t *testing.T) {
	t.Setenv("CACHEKIT_API_KEY", "")
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:0"},
		{"-api-key", "sk_wrong"},
		{"-max-value-size", "0"},
		{"-no-such-flag"},
		{"extra"},
	} {
		err := Command(t.Context(), args, io.Discard)
		if err == nil {
			t.Errorf("Command(%q) succeeded", args)
		}
	}
}
