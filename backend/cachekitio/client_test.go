package cachekitio

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestRequestHeaders: every request carries the bearer key, the L1 status, the session
// headers and, with a metrics source, the counters from that source.
func TestRequestHeaders(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	b, _ := newTestClient(t, rec.URL, nil)
	ctx := t.Context()

	_, _, _ = b.Get(ctx, "a")
	_, _ = b.Exists(WithL1Status(ctx, L1Hit), "a")
	calls := 0
	b.SetStatsSource(func() L1Metrics { calls++; return L1Metrics{L1Hits: 2, L2Hits: 1, Misses: 3} })
	_, _, _ = b.Get(ctx, "a")
	_, _, _ = b.Get(WithL1Status(ctx, L1Disabled), "a")
	_, _, _ = b.Get(WithL1Status(ctx, "bogus"), "a")
	b.SetStatsSource(nil)
	_, _, _ = b.TTL(ctx, "a")

	reqs := rec.requests()
	if len(reqs) != 6 {
		t.Fatalf("server saw %d requests, want 6", len(reqs))
	}
	wantStatus := []string{"disabled", "hit", "miss", "disabled", "miss", "disabled"}
	var sessionID string
	for i, r := range reqs {
		h := r.Header
		if got := h.Get("Authorization"); got != "Bearer "+testAPIKey {
			t.Errorf("request %d: Authorization = %q", i, got)
		}
		if got := h.Get("X-CacheKit-L1-Status"); got != wantStatus[i] {
			t.Errorf("request %d: X-CacheKit-L1-Status = %q, want %q", i, got, wantStatus[i])
		}
		id := h.Get("X-CacheKit-Session-ID")
		if !uuidV4.MatchString(id) {
			t.Errorf("request %d: X-CacheKit-Session-ID = %q, not a v4 UUID", i, id)
		}
		if sessionID == "" {
			sessionID = id
		} else if id != sessionID {
			t.Errorf("request %d: session id %q changed from %q", i, id, sessionID)
		}
		start, err := strconv.ParseInt(h.Get("X-CacheKit-Session-Start"), 10, 64)
		if err != nil || start <= 0 || start > time.Now().UnixMilli() || start < time.Now().Add(-time.Hour).UnixMilli() {
			t.Errorf("request %d: X-CacheKit-Session-Start = %q, want recent epoch milliseconds", i, h.Get("X-CacheKit-Session-Start"))
		}
		withMetrics := i >= 2 && i <= 4
		if withMetrics {
			for name, want := range map[string]string{"X-CacheKit-L1-Hits": "2", "X-CacheKit-L2-Hits": "1", "X-CacheKit-Misses": "3", "X-CacheKit-L1-Hit-Rate": "0.333"} {
				if got := h.Get(name); got != want {
					t.Errorf("request %d: %s = %q, want %q", i, name, got, want)
				}
			}
		} else if h.Get("X-CacheKit-L1-Hits") != "" || h.Get("X-CacheKit-L1-Hit-Rate") != "" {
			t.Errorf("request %d: counters sent without a metrics source", i)
		}
	}
	if calls != 3 {
		t.Errorf("metrics source called %d times, want once per request (3)", calls)
	}
}

func TestHitRate(t *testing.T) {
	for _, c := range []struct {
		m    L1Metrics
		want string
	}{
		{L1Metrics{}, "0.000"},
		{L1Metrics{L1Hits: 1}, "1.000"},
		{L1Metrics{L1Hits: 1, Misses: 1}, "0.500"},
		{L1Metrics{L1Hits: 2, L2Hits: 1}, "0.667"},
		{L1Metrics{L1Hits: 1, L2Hits: 999}, "0.001"},
	} {
		if got := strconv.FormatFloat(c.m.L1HitRate(), 'f', 3, 64); got != c.want {
			t.Errorf("%+v.L1HitRate() = %s, want %s", c.m, got, c.want)
		}
	}
}

// TestSetTTLHeader: the TTL rules of the API, checked on the wire.
func TestSetTTLHeader(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	b, _ := newTestClient(t, rec.URL, nil)
	cases := []struct {
		ttl  time.Duration
		want string // "" means refused before sending
	}{
		{time.Nanosecond, "1"},
		{999 * time.Millisecond, "1"},
		{time.Second, "1"},
		{1500 * time.Millisecond, "2"},
		{time.Hour, "3600"},
		{MaxTTL, "2592000"},
		{MaxTTL + time.Nanosecond, ""},
		{MaxTTL + time.Second, ""},
		{1<<63 - 1, ""},
		{0, ""},
		{-time.Second, ""},
		{-1 << 63, ""},
	}
	for _, c := range cases {
		t.Run(c.ttl.String(), func(t *testing.T) {
			before := len(rec.requests())
			err := b.Set(t.Context(), "k", []byte("v"), c.ttl)
			reqs := rec.requests()[before:]
			if c.want == "" {
				if !errors.Is(err, backend.ErrInvalidTTL) || backend.IsRetryable(err) {
					t.Errorf("Set(ttl %v) error = %v, want a permanent one wrapping backend.ErrInvalidTTL", c.ttl, err)
				}
				if c.ttl > 0 && !errors.Is(err, ErrTTLTooLong) {
					t.Errorf("Set(ttl %v) error = %v, want ErrTTLTooLong", c.ttl, err)
				}
				if len(reqs) != 0 {
					t.Errorf("Set(ttl %v) sent %d requests, want none", c.ttl, len(reqs))
				}
				return
			}
			if err != nil {
				t.Fatalf("Set(ttl %v): %v", c.ttl, err)
			}
			if len(reqs) != 1 {
				t.Fatalf("Set sent %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPut || r.RequestURI != "/v1/cache/k" {
				t.Errorf("Set sent %s %s, want PUT /v1/cache/k", r.Method, r.RequestURI)
			}
			if got := r.Header.Values("X-CacheKit-TTL"); len(got) != 1 || got[0] != c.want {
				t.Errorf("X-CacheKit-TTL = %q, want %q", got, c.want)
			}
			if r.Header.Get("X-TTL") != "" {
				t.Error("the deprecated X-TTL header was sent")
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("Content-Type = %q", ct)
			}
			if string(r.Body) != "v" {
				t.Errorf("body = %q, want %q", r.Body, "v")
			}
		})
	}
}

// TestEndpoints checks each method's request and its reading of each documented answer.
func TestEndpoints(t *testing.T) {
	type answer struct {
		status int
		body   string
		header map[string]string
	}
	var next []answer
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		a := next[0]
		next = next[1:]
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	})
	b, _ := newTestClient(t, rec.URL, func(o *Options) { o.MaxRetries = -1 })
	ctx := t.Context()
	expect := func(t *testing.T, wants ...string) {
		t.Helper()
		reqs := rec.requests()
		reqs = reqs[len(reqs)-len(wants):]
		for i, w := range wants {
			if got := reqs[i].Method + " " + reqs[i].RequestURI; got != w {
				t.Errorf("request %d = %q, want %q", i, got, w)
			}
		}
	}

	t.Run("Get", func(t *testing.T) {
		next = []answer{{200, "bytes", map[string]string{"X-CacheKit-Freshness": "stale", "X-CacheKit-Fresh-For": "0"}}, {404, "", nil}}
		v, meta, found, err := b.GetWithMeta(ctx, "a:b")
		if err != nil || !found || string(v) != "bytes" || !meta.Stale || !meta.HasFreshFor || meta.FreshFor != 0 {
			t.Errorf("GetWithMeta = (%q, %+v, %v, %v)", v, meta, found, err)
		}
		v, found, err = b.Get(ctx, "a:b")
		if err != nil || found || v != nil {
			t.Errorf("Get on 404 = (%q, %v, %v), want a miss", v, found, err)
		}
		expect(t, "GET /v1/cache/a%3Ab", "GET /v1/cache/a%3Ab")
	})
	t.Run("Exists", func(t *testing.T) {
		next = []answer{{200, "", map[string]string{"X-CacheKit-Freshness": "garbage"}}, {404, "", nil}}
		if ok, err := b.Exists(ctx, "k"); !ok || err != nil {
			t.Errorf("Exists on 200 = (%v, %v)", ok, err)
		}
		if ok, err := b.Exists(ctx, "k"); ok || err != nil {
			t.Errorf("Exists on 404 = (%v, %v)", ok, err)
		}
		expect(t, "HEAD /v1/cache/k", "HEAD /v1/cache/k")
	})
	t.Run("Delete", func(t *testing.T) {
		next = []answer{
			{200, "", nil}, {200, `{"success": true}`, nil}, // existed
			{404, "", nil}, {200, `{"success": true}`, nil}, // absent: the API still says success
			{200, "", nil}, {404, "", nil}, // an old server's 404
			{200, "", nil}, {200, "", nil}, // empty body
		}
		for i, want := range []bool{true, false, false, true} {
			got, err := b.Delete(ctx, "k")
			if err != nil || got != want {
				t.Errorf("Delete #%d = (%v, %v), want (%v, nil)", i, got, err, want)
			}
		}
		expect(t, "HEAD /v1/cache/k", "DELETE /v1/cache/k")
	})
	t.Run("TTL", func(t *testing.T) {
		next = []answer{{200, `{"ttl": 42, "extra": [1]}`, nil}, {200, `{"ttl": null}`, nil}, {404, "", nil}, {200, `{"ttl": -5}`, nil}, {200, `{"ttl": 1.5}`, nil}, {200, `not json`, nil}}
		if d, found, err := b.TTL(ctx, "k"); d != 42*time.Second || !found || err != nil {
			t.Errorf("TTL = (%v, %v, %v), want 42s", d, found, err)
		}
		if d, found, err := b.TTL(ctx, "k"); d != backend.NoExpiry || !found || err != nil {
			t.Errorf("TTL of a no-expiry entry = (%v, %v, %v), want NoExpiry", d, found, err)
		}
		if d, found, err := b.TTL(ctx, "k"); found || err != nil {
			t.Errorf("TTL on 404 = (%v, %v, %v), want absent", d, found, err)
		}
		for range 3 {
			if _, _, err := b.TTL(ctx, "k"); !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("TTL of a malformed answer: error = %v, want ErrMalformedResponse", err)
			}
		}
		expect(t, "GET /v1/cache/k/ttl")
	})
	t.Run("RefreshTTL", func(t *testing.T) {
		next = []answer{
			{200, `{"success": true}`, nil}, {200, "", nil}, // present
			{200, `{"success": true}`, nil}, {404, "", nil}, // absent: a 200 no-op
			{409, `{"error": "stale"}`, nil},
			{400, `{"error": "bad ttl"}`, nil},
		}
		if ok, err := b.RefreshTTL(ctx, "k", 90*time.Second); !ok || err != nil {
			t.Errorf("RefreshTTL of a present key = (%v, %v)", ok, err)
		}
		reqs := rec.requests()
		patch := reqs[len(reqs)-2]
		if patch.Method != http.MethodPatch || patch.RequestURI != "/v1/cache/k/ttl" || string(patch.Body) != `{"ttl":90}` ||
			patch.Header.Get("Content-Type") != "application/json" {
			t.Errorf("RefreshTTL sent %s %s %q (%s)", patch.Method, patch.RequestURI, patch.Body, patch.Header.Get("Content-Type"))
		}
		if ok, err := b.RefreshTTL(ctx, "k", time.Minute); ok || err != nil {
			t.Errorf("RefreshTTL of an absent key = (%v, %v), want (false, nil)", ok, err)
		}
		if ok, err := b.RefreshTTL(ctx, "k", time.Minute); ok || !errors.Is(err, ErrEntryStale) || backend.IsRetryable(err) {
			t.Errorf("RefreshTTL on 409 = (%v, %v), want a permanent ErrEntryStale", ok, err)
		}
		if ok, err := b.RefreshTTL(ctx, "k", time.Minute); ok || err == nil || backend.IsRetryable(err) || !isStatus(err, 400) {
			t.Errorf("RefreshTTL on 400 = (%v, %v), want a permanent error", ok, err)
		}
		if _, err := b.RefreshTTL(ctx, "k", 0); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("RefreshTTL(0) error = %v, want ErrInvalidTTL", err)
		}
	})
	t.Run("AcquireLock", func(t *testing.T) {
		next = []answer{
			{200, `{"lock_id": "L-1"}`, nil},
			{200, `{"lock_id": null}`, nil},
			{200, `{}`, nil},
			{200, `{"lock_id": ""}`, nil},
			{409, ``, nil},
			{429, `slow down`, nil},
		}
		id, ok, err := b.AcquireLock(ctx, "k", 1500*time.Microsecond)
		if id != "L-1" || !ok || err != nil {
			t.Errorf("AcquireLock = (%q, %v, %v)", id, ok, err)
		}
		r := rec.requests()[len(rec.requests())-1]
		if r.Method != http.MethodPost || r.RequestURI != "/v1/cache/k/lock" || string(r.Body) != `{"timeout_ms":2}` {
			t.Errorf("AcquireLock sent %s %s %q", r.Method, r.RequestURI, r.Body)
		}
		for i := range 4 {
			if id, ok, err := b.AcquireLock(ctx, "k", time.Second); ok || id != "" || err != nil {
				t.Errorf("contested answer %d = (%q, %v, %v), want not acquired", i, id, ok, err)
			}
		}
		if _, ok, err := b.AcquireLock(ctx, "k", time.Second); ok || !errors.Is(err, backend.ErrTransient) {
			t.Errorf("AcquireLock on 429 = (%v, %v), want a transient error, not contention", ok, err)
		}
		if _, _, err := b.AcquireLock(ctx, "k", 0); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("AcquireLock(0) error = %v", err)
		}
	})
	t.Run("ReleaseLock", func(t *testing.T) {
		next = []answer{{200, `{"success": true}`, nil}, {200, `{"success": false}`, nil}, {200, `{"released": false, "success": true}`, nil}, {200, "", nil}, {404, "", nil}}
		for i, want := range []bool{true, false, false, true, false} {
			got, err := b.ReleaseLock(ctx, "k", "secret-lock-id")
			if got != want || err != nil {
				t.Errorf("ReleaseLock #%d = (%v, %v), want %v", i, got, err, want)
			}
		}
		r := rec.requests()[len(rec.requests())-1]
		if r.Method != http.MethodDelete || r.RequestURI != "/v1/cache/k/lock" || r.Header.Get("X-CacheKit-Lock-Id") != "secret-lock-id" {
			t.Errorf("ReleaseLock sent %s %s with lock id header %q", r.Method, r.RequestURI, r.Header.Get("X-CacheKit-Lock-Id"))
		}
		if strings.Contains(r.RequestURI, "secret-lock-id") || strings.Contains(r.RequestURI, "lock_id") {
			t.Errorf("the lock id is in the URL %q", r.RequestURI)
		}
		before := len(rec.requests())
		for _, bad := range []string{"", " ", "a\r\nb", strings.Repeat("x", 300)} {
			if ok, err := b.ReleaseLock(ctx, "k", bad); ok || err != nil {
				t.Errorf("ReleaseLock(%q) = (%v, %v), want (false, nil)", bad, ok, err)
			}
		}
		if n := len(rec.requests()) - before; n != 0 {
			t.Errorf("ReleaseLock with impossible ids sent %d requests", n)
		}
	})
	t.Run("Health", func(t *testing.T) {
		next = []answer{{200, `{"status": "ok", "cache_entries": 7, "active_locks": 2}`, nil}, {503, `{"status":"error"}`, nil}}
		hs, err := b.Health(ctx)
		if err != nil || !hs.Healthy || hs.Backend != "cachekitio" || hs.Details["cache_entries"] != "7" || hs.Details["active_locks"] != "2" {
			t.Errorf("Health = %+v, %v", hs, err)
		}
		hs, err = b.Health(ctx)
		if err == nil || hs.Healthy || !errors.Is(err, backend.ErrTransient) {
			t.Errorf("Health on 503 = %+v, %v", hs, err)
		}
		expect(t, "GET /v1/cache/health")
	})
}

func TestClosedBackend(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	b, _ := newTestClient(t, rec.URL, nil)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := b.Get(t.Context(), "k"); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if len(rec.requests()) != 0 {
		t.Error("a closed backend sent a request")
	}
}
