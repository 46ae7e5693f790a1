package cachekitio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestStatusClassification: each status becomes the documented kind, only transient
// ones are retried, and nothing is returned as a value.
func TestStatusClassification(t *testing.T) {
	cases := []struct {
		status  int
		kind    backend.ErrorKind
		retried bool
	}{
		{400, backend.KindPermanent, false},
		{401, backend.KindAuthentication, false},
		{403, backend.KindAuthentication, false},
		{405, backend.KindPermanent, false},
		{408, backend.KindTransient, true},
		{409, backend.KindPermanent, false},
		{413, backend.KindPermanent, false},
		{418, backend.KindPermanent, false},
		{429, backend.KindTransient, true},
		{500, backend.KindTransient, true},
		{502, backend.KindTransient, true},
		{503, backend.KindTransient, true},
		{504, backend.KindTransient, true},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			var hits atomic.Int32
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte("nope"))
			})
			b, w := newTestClient(t, rec.URL, nil)
			v, found, err := b.Get(t.Context(), "k")
			if err == nil || found || v != nil {
				t.Fatalf("Get = (%q, %v, %v), want an error and no value", v, found, err)
			}
			if k, ok := backend.KindOf(err); !ok || k != c.kind {
				t.Errorf("kind = %v (%v), want %v", k, ok, c.kind)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != c.status || se.Body != "nope" || se.Method != "GET" || se.Path != "/v1/cache/k" {
				t.Errorf("StatusError = %+v", se)
			}
			if got := errors.Is(err, backend.ErrValueTooLarge); got != (c.status == 413) {
				t.Errorf("errors.Is(ErrValueTooLarge) = %v for %d", got, c.status)
			}
			want := int32(1)
			if c.retried {
				want = 1 + DefaultMaxRetries
			}
			if got := hits.Load(); got != want {
				t.Errorf("server saw %d attempts, want %d", got, want)
			}
			if n := len(w.all()); n != int(want-1) {
				t.Errorf("%d waits between attempts, want %d", n, want-1)
			}
		})
	}
}

// TestRetrySucceeds: a transient failure followed by success returns the value, and
// the waits follow the backoff schedule.
func TestRetrySucceeds(t *testing.T) {
	var hits atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("finally"))
	})
	b, w := newTestClient(t, rec.URL, nil)
	v, found, err := b.Get(t.Context(), "k")
	if err != nil || !found || string(v) != "finally" {
		t.Fatalf("Get = (%q, %v, %v)", v, found, err)
	}
	waits := w.all()
	if len(waits) != 2 {
		t.Fatalf("waits = %v, want 2", waits)
	}
	for i, d := range waits {
		base := retryBaseDelay << i
		if d < base/2 || d >= base*3/2 {
			t.Errorf("wait %d = %v, want in [%v, %v)", i, d, base/2, base*3/2)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter string
		wantWaits  int
		minWait    time.Duration
	}{
		{"seconds", "2", DefaultMaxRetries, 2 * time.Second},
		{"http date", time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat), DefaultMaxRetries, time.Second},
		{"too long is not waited for", "60", 0, 0},
		{"garbage is ignored", "soon", DefaultMaxRetries, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", c.retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			b, w := newTestClient(t, rec.URL, nil)
			err := b.Set(t.Context(), "k", []byte("v"), time.Minute)
			if !errors.Is(err, backend.ErrTransient) {
				t.Fatalf("Set error = %v, want transient", err)
			}
			waits := w.all()
			if len(waits) != c.wantWaits {
				t.Fatalf("waits = %v, want %d", waits, c.wantWaits)
			}
			for _, d := range waits {
				if d < c.minWait {
					t.Errorf("wait %v shorter than Retry-After %v", d, c.minWait)
				}
			}
			if len(rec.requests()) != c.wantWaits+1 {
				t.Errorf("%d attempts, want %d", len(rec.requests()), c.wantWaits+1)
			}
		})
	}
}

func TestRetryStopsAtDeadline(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	b, w := newTestClient(t, rec.URL, nil)
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, _, err := b.Get(ctx, "k")
	if !errors.Is(err, backend.ErrTransient) {
		t.Fatalf("error = %v, want the transient 503", err)
	}
	if len(w.all()) != 0 || len(rec.requests()) != 1 {
		t.Errorf("waited %v over %d attempts; a wait past the deadline must not start", w.all(), len(rec.requests()))
	}
}

func TestRetriesDisabledAndLocksNotRetried(t *testing.T) {
	var hits atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	b, _ := newTestClient(t, rec.URL, func(o *Options) { o.MaxRetries = -1 })
	if _, _, err := b.Get(t.Context(), "k"); err == nil {
		t.Fatal("Get succeeded")
	}
	if hits.Load() != 1 {
		t.Errorf("MaxRetries -1: %d attempts, want 1", hits.Load())
	}
	b2, _ := newTestClient(t, rec.URL, nil)
	hits.Store(0)
	_, _, _ = b2.AcquireLock(t.Context(), "k", time.Second)
	_, _ = b2.ReleaseLock(t.Context(), "k", "id")
	if hits.Load() != 2 {
		t.Errorf("lock calls made %d attempts, want 1 each", hits.Load())
	}
}

// TestTimeout: an attempt that outlives Options.Timeout is a KindTimeout error, and the
// caller's own deadline gives an error matching context.DeadlineExceeded.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	b, _ := newTestClient(t, rec.URL, func(o *Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 1 })
	_, _, err := b.Get(t.Context(), "k")
	if k, _ := backend.KindOf(err); k != backend.KindTimeout || !errors.Is(err, backend.ErrTimeout) {
		t.Errorf("Get error = %v, want KindTimeout", err)
	}
	if n := len(rec.requests()); n != 2 {
		t.Errorf("%d attempts, want 2 (timeouts are retried)", n)
	}
	b2, _ := newTestClient(t, rec.URL, func(o *Options) { o.Timeout = time.Minute })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, err = b2.Get(ctx, "k")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, backend.ErrTimeout) {
		t.Errorf("Get with an expiring context: %v, want DeadlineExceeded and ErrTimeout", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	if err := b2.Set(ctx, "k", []byte("v"), time.Minute); !errors.Is(err, context.Canceled) || backend.IsRetryable(err) {
		t.Errorf("Set with a cancelled context: %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b, w := newTestClient(t, "http://"+addr, nil)
	_, _, err = b.Get(t.Context(), "k")
	if k, _ := backend.KindOf(err); k != backend.KindTransient {
		t.Errorf("Get from a closed port: %v, want KindTransient", err)
	}
	if len(w.all()) != DefaultMaxRetries {
		t.Errorf("waits = %v, want %d retries", w.all(), DefaultMaxRetries)
	}
}

// rawServer answers every connection with the bytes of reply, then closes it.
func rawServer(t *testing.T, reply func(req *http.Request) string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(reply(r))
		_ = buf.Flush()
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestTruncatedBody(t *testing.T) {
	var attempts atomic.Int32
	url := rawServer(t, func(*http.Request) string {
		attempts.Add(1)
		return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"
	})
	b, _ := newTestClient(t, url, nil)
	v, found, err := b.Get(t.Context(), "k")
	if v != nil || found || !errors.Is(err, ErrTruncatedResponse) || !errors.Is(err, backend.ErrTransient) {
		t.Errorf("Get of a truncated body = (%q, %v, %v), want nothing and a transient ErrTruncatedResponse", v, found, err)
	}
	if attempts.Load() != 1+DefaultMaxRetries {
		t.Errorf("%d attempts, want %d", attempts.Load(), 1+DefaultMaxRetries)
	}
	chunked := rawServer(t, func(*http.Request) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"
	})
	b2, _ := newTestClient(t, chunked, func(o *Options) { o.MaxRetries = -1 })
	if v, found, err := b2.Get(t.Context(), "k"); v != nil || found || !backend.IsRetryable(err) {
		t.Errorf("Get of a cut chunked body = (%q, %v, %v), want a transient error", v, found, err)
	}
}

func TestOversizedBody(t *testing.T) {
	const limit = 1 << 10
	declared := rawServer(t, func(*http.Request) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n" + strings.Repeat("x", 100)
	})
	b, _ := newTestClient(t, declared, func(o *Options) { o.MaxResponseSize = limit })
	if v, found, err := b.Get(t.Context(), "k"); v != nil || found || !errors.Is(err, ErrResponseTooLarge) || backend.IsRetryable(err) {
		t.Errorf("Get with a huge Content-Length = (%d bytes, %v, %v), want a permanent ErrResponseTooLarge", len(v), found, err)
	}
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // no Content-Length: chunked
		for range 4 {
			_, _ = w.Write([]byte(strings.Repeat("y", limit/2)))
			w.(http.Flusher).Flush()
		}
	})
	b2, _ := newTestClient(t, rec.URL, func(o *Options) { o.MaxResponseSize = limit })
	if v, found, err := b2.Get(t.Context(), "k"); v != nil || found || !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("Get of a long chunked body = (%d bytes, %v, %v), want ErrResponseTooLarge", len(v), found, err)
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("%d attempts, want 1: a body too large is permanent", n)
	}
	// Exactly at the limit is fine.
	exact := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, limit)) })
	b3, _ := newTestClient(t, exact.URL, func(o *Options) { o.MaxResponseSize = limit })
	if v, found, err := b3.Get(t.Context(), "k"); len(v) != limit || !found || err != nil {
		t.Errorf("Get of a body at the limit = (%d bytes, %v, %v)", len(v), found, err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var targetHits atomic.Int32
	target := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		_, _ = w.Write([]byte("stolen"))
	})
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			from := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/v1/cache/k", code)
			})
			for _, custom := range []*http.Client{nil, {}} {
				b, _ := newTestClient(t, from.URL, func(o *Options) { o.HTTPClient = custom })
				v, found, err := b.Get(t.Context(), "k")
				if v != nil || found || !errors.Is(err, ErrRedirect) || backend.IsRetryable(err) {
					t.Errorf("Get through a %d (custom client %v) = (%q, %v, %v), want a permanent ErrRedirect", code, custom != nil, v, found, err)
				}
				if custom != nil && custom.CheckRedirect != nil {
					t.Error("the caller's http.Client was modified")
				}
			}
		})
	}
	if targetHits.Load() != 0 {
		t.Errorf("the redirect target was contacted %d times", targetHits.Load())
	}
}

// TestErrorsNeverContainAPIKey: a server that echoes the Authorization header in its
// error bodies, in its reason phrase and in a Retry-After still cannot get the key
// into an error message.
func TestErrorsNeverContainAPIKey(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Retry-After", auth)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintf(w, `{"error": "bad key %s", "again": %q, "padding": "%s", "key": "%s"}`,
			auth, auth, strings.Repeat("p", 200), testAPIKey)
	})
	b, _ := newTestClient(t, rec.URL, nil)
	_, _, err := b.Get(t.Context(), "k")
	if err == nil {
		t.Fatal("Get succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, testAPIKey) {
		t.Errorf("error message contains the API key: %s", msg)
	}
	if !strings.Contains(msg, "[REDACTED]") {
		t.Errorf("error message %q does not show the redaction", msg)
	}
	var se *StatusError
	if !errors.As(err, &se) || len(se.Body) > maxErrorBody {
		t.Errorf("StatusError body %d bytes, want at most %d", len(se.Body), maxErrorBody)
	}
	if got := fmt.Sprintf("%+v %#v", err, err); strings.Contains(got, testAPIKey) {
		t.Errorf("formatted error contains the API key: %s", got)
	}
	// A transport error carrying the key in its text (a proxy's message, say).
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("proxy refused %s", r.Header.Get("Authorization"))
	})
	b2, _ := newTestClient(t, rec.URL, func(o *Options) { o.HTTPClient = &http.Client{Transport: rt}; o.MaxRetries = -1 })
	_, _, err = b2.Get(t.Context(), "k")
	if err == nil || strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("transport error = %v, want one without the API key", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"1", time.Second}, {"120", 2 * time.Minute}, {"-1", 0}, {"1.5", 0},
		{"99999999999999999999", 0}, {now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0}, {"tomorrow", 0},
	} {
		if got := parseRetryAfter(c.v, now); got != c.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}
