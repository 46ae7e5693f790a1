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

	"github.com/cachekit-io/cachekit-go/internal/testserver"
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

// runCommand starts Command with args, reads the URL it prints (and the API key when it
// made one up), and returns them with a stop function that ends the command and returns
// its error.
func runCommand(t *testing.T, args ...string) (url, key string, stop func() error) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Command(ctx, args, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
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
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	if url == "" {
		t.Fatalf("Command printed no URL")
	}
	return url, key, stop
}

func call(t *testing.T, method, url, key, body string, header ...string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	return resp.StatusCode
}

// TestCommand starts `cachekit serve`, reads the URL and the made-up key it prints,
// calls the server, and stops it by ending the context.
func TestCommand(t *testing.T) {
	t.Setenv("CACHEKIT_API_KEY", "")
	url, key, stop := runCommand(t, "-addr", "127.0.0.1:0")
	if !strings.HasPrefix(key, PrefixLive) {
		t.Fatalf("Command printed key %q", key)
	}
	if got := call(t, "GET", url+"/v1/cache/health", key, ""); got != 200 {
		t.Errorf("health through the command's server = %d", got)
	}
	if err := stop(); err != nil {
		t.Errorf("Command returned %v after its context ended, want nil", err)
	}
}

// TestCommandRedis serves over a real redis-server with -redis and checks that an entry
// written through the HTTP API lands in Redis.
func TestCommandRedis(t *testing.T) {
	t.Setenv("CACHEKIT_API_KEY", "ck_live_dev_redis_test")
	r := testserver.StartRedis(t, testserver.RedisOptions{})
	url, _, stop := runCommand(t, "-redis", "redis://"+r.Addr+"/0")
	const key = "ck_live_dev_redis_test"
	if got := call(t, "PUT", url+"/v1/cache/app:k", key, "stored-in-redis", "X-CacheKit-TTL", "60"); got != 200 {
		t.Fatalf("PUT = %d", got)
	}
	keys, err := r.Do("KEYS", "*app:k*")
	if err != nil {
		t.Fatal(err)
	}
	if list, ok := keys.([]any); !ok || len(list) == 0 {
		t.Fatalf("Redis holds no key for app:k after the PUT: %v", keys)
	}
	if got := call(t, "GET", url+"/v1/cache/app:k", key, ""); got != 200 {
		t.Errorf("GET = %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Errorf("Command returned %v", err)
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
