package devserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

func TestNewValidates(t *testing.T) {
	m, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"no keys", Options{}},
		{"unknown prefix", Options{APIKeys: []string{"sk_live_x"}}},
		{"bare prefix with space", Options{APIKeys: []string{"ck_live_a b"}}},
		{"negative size", Options{APIKeys: []string{liveKey}, MaxValueSize: -1}},
		{"store without locks", Options{APIKeys: []string{liveKey}, Backend: noLocks{m}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.opts)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("error %v does not wrap ErrInvalidOptions", err)
			}
			for _, k := range c.opts.APIKeys {
				if strings.Contains(err.Error(), k) {
					t.Errorf("error %q shows an API key", err)
				}
			}
		})
	}
}

// noLocks hides a store's Locker.
type noLocks struct{ backend.Backend }

func TestAuthentication(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, c := range []struct {
		name, auth string
		want       int
	}{
		{"missing", "<unset>", 401},
		{"wrong key", "Bearer ck_live_wrong", 401},
		{"not bearer", "Basic " + liveKey, 401},
		{"empty token", "Bearer ", 401},
		{"prefix of a key", "Bearer ck_live_devtes", 401},
		{"right key", "Bearer " + liveKey, 404},
		{"scheme case", "bearer " + liveKey, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, s, "GET", "/v1/cache/k", "", "Authorization", "<unset>", "Authorization", c.auth)
			wantStatus(t, w, c.want)
			if c.want == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Vary") != "Authorization" {
				t.Errorf("headers Cache-Control %q, Vary %q", w.Header().Get("Cache-Control"), w.Header().Get("Vary"))
			}
		})
	}
	w := do(t, s, "OPTIONS", "/v1/cache/k", "", "Authorization", "<unset>")
	wantStatus(t, w, http.StatusNoContent)
}

func TestKeyClasses(t *testing.T) {
	s, _ := newTestServer(t, nil)
	withKey := func(k string) []string { return []string{"Authorization", "<unset>", "Authorization", "Bearer " + k} }
	// ck_sdk_ needs X-CacheKit-L1-Status, after authentication.
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", "", withKey(sdkKey)...), 400)
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", "", append(withKey(sdkKey), "X-CacheKit-L1-Status", "maybe")...), 400)
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", "", append(withKey(sdkKey), "X-CacheKit-L1-Status", "miss")...), 404)
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", "", withKey(directKey)...), 404)
	// Write spaces.
	for _, c := range []struct {
		key, token string
		want       int
	}{
		{"ns:app:k", sdkKey, 200}, {"ns:app:k", directKey, 403}, {"ns:app:k", liveKey, 200},
		{"nsapi:app:k", sdkKey, 403}, {"nsapi:app:k", directKey, 200}, {"nsapi:app:k", liveKey, 200},
		{"app:k", sdkKey, 200}, {"app:k", directKey, 200},
	} {
		h := append(withKey(c.token), "X-CacheKit-L1-Status", "miss", "X-CacheKit-TTL", "60")
		if got := do(t, s, "PUT", "/v1/cache/"+c.key, "v", h...).Code; got != c.want {
			t.Errorf("PUT %s with %s = %d, want %d", c.key, c.token[:7], got, c.want)
		}
		// Reads are open to every class.
		if got := do(t, s, "GET", "/v1/cache/"+c.key, "", h...).Code; got == 403 {
			t.Errorf("GET %s with %s = 403, reads are open", c.key, c.token[:7])
		}
	}
}

func TestRoutes(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, c := range []struct {
		method, target string
		want           int
		allow          string
	}{
		{"POST", "/v1/cache/k", 405, "GET, HEAD, PUT, DELETE"},
		{"PATCH", "/v1/cache/k", 405, "GET, HEAD, PUT, DELETE"},
		{"PUT", "/v1/cache/k/ttl", 405, "GET, PATCH"},
		{"GET", "/v1/cache/k/lock", 405, "POST, DELETE"},
		{"POST", "/v1/cache/health", 405, "GET"},
		{"GET", "/v1/cache/", 404, ""},
		{"GET", "/v1/other", 404, ""},
		{"GET", "/v1/cache/k/extra", 404, ""},
		{"GET", "/v1/cache/a/b/c", 404, ""},
		{"GET", "/v1/cache/ttl", 400, ""},
		{"GET", "/v1/cache/lock", 400, ""},
		{"GET", "/v1/cache//ttl", 400, ""},
		{"GET", "/v1/cache/%2e%2e/ttl", 400, ""},
		{"GET", "/v1/cache/.%2E", 400, ""},
		{"GET", "/v1/cache/%2E", 400, ""},
		{"GET", "/v1/cache/a%2Fb", 400, ""}, // decodes to a/b: outside the charset
		{"GET", "/v1/cache/a:..", 400, ""},
		{"GET", "/v1/cache/ns:key", 400, ""},
		{"GET", "/v1/cache/ns:bad%20ns:k", 400, ""},
		{"GET", "/v1/cache/" + strings.Repeat("k", 401), 400, ""},
		{"GET", "/v1/cache/" + strings.Repeat("k", 400), 404, ""},
		{"GET", "/v1/cache/ns:app:k", 404, ""},
		{"GET", "/v1/cache/User%3AKey", 404, ""},
		{"GET", "/v1/cache/k?lock_id=x", 404, ""},
	} {
		t.Run(c.method+" "+c.target[:min(len(c.target), 40)], func(t *testing.T) {
			w := do(t, s, c.method, c.target, "")
			wantStatus(t, w, c.want)
			if got := w.Header().Get("Allow"); got != c.allow {
				t.Errorf("Allow = %q, want %q", got, c.allow)
			}
		})
	}
}

// TestMalformedEscape: a key segment whose escape cannot be decoded is 400 (net/http
// itself refuses most such request lines earlier).
func TestMalformedEscape(t *testing.T) {
	s, _ := newTestServer(t, nil)
	req := httptest.NewRequest("GET", "/v1/cache/x", nil)
	req.RequestURI = "/v1/cache/bad%zz"
	req.Header.Set("Authorization", "Bearer "+liveKey)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	wantStatus(t, w, 400)
}

func TestLenientKeys(t *testing.T) {
	s, _ := newTestServer(t, func(o *Options) { o.LenientKeys = true })
	wantStatus(t, do(t, s, "PUT", "/v1/cache/a%2Fb%20c", "v", "X-CacheKit-TTL", "60"), 200)
	w := do(t, s, "GET", "/v1/cache/a%2fb%20c", "")
	wantStatus(t, w, 200)
	if w.Body.String() != "v" {
		t.Errorf("body %q", w.Body.String())
	}
	wantStatus(t, do(t, s, "GET", "/v1/cache/"+strings.Repeat("k", MaxLenientKeyLen+1), ""), 400)
	wantStatus(t, do(t, s, "GET", "/v1/cache/%2e%2e", ""), 400)
}

// TestFreshnessLifecycle walks one entry through fresh, stale and gone with whole-second
// stamping: written at 07.3 s with ttl 10 and stale 5, it is fresh until 17 s and stale
// until 22 s.
func TestFreshnessLifecycle(t *testing.T) {
	s, clk := newTestServer(t, nil)
	wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "value", "X-CacheKit-TTL", "10", "X-CacheKit-Stale-TTL", "5"), 200)
	// Expected values worked out by hand from the spec: fresh_until = floor(07.3) + 10 =
	// 17 s, evict_at = 22 s, Fresh-For = floor(fresh_until - now), /ttl = evict_at -
	// floor(now).
	steps := []struct {
		at        time.Duration // after the write, made at 07.3 s
		status    int
		freshness string
		freshFor  string
		ttl       float64
	}{
		{0, 200, "fresh", "9", 15},                       // 07.3 s
		{600 * time.Millisecond, 200, "fresh", "9", 15},  // 07.9 s
		{9 * time.Second, 200, "fresh", "0", 6},          // 16.3 s: 0.7 s left floors to 0
		{9700 * time.Millisecond, 200, "stale", "0", 5},  // 17.0 s: stale from fresh_until on
		{14600 * time.Millisecond, 200, "stale", "0", 1}, // 21.9 s
		{14700 * time.Millisecond, 404, "", "", 0},       // 22.0 s: evicted
	}
	start := clk.Now()
	for _, st := range steps {
		clk.Set(start.Add(st.at))
		w := do(t, s, "GET", "/v1/cache/k", "")
		if w.Code != st.status {
			t.Fatalf("at +%v: GET status %d, want %d", st.at, w.Code, st.status)
		}
		h := do(t, s, "HEAD", "/v1/cache/k", "")
		if h.Code != st.status {
			t.Errorf("at +%v: HEAD status %d, want the GET's %d", st.at, h.Code, st.status)
		}
		if h.Header().Get("X-CacheKit-Fresh-For") != "" || h.Body.Len() != 0 {
			t.Errorf("at +%v: HEAD carried Fresh-For or a body", st.at)
		}
		if st.status != 200 {
			continue
		}
		if got := w.Header().Get("X-CacheKit-Freshness"); got != st.freshness {
			t.Errorf("at +%v: Freshness %q, want %q", st.at, got, st.freshness)
		}
		if got := h.Header().Get("X-CacheKit-Freshness"); got != st.freshness {
			t.Errorf("at +%v: HEAD Freshness %q, want %q", st.at, got, st.freshness)
		}
		if got := w.Header().Get("X-CacheKit-Fresh-For"); got != st.freshFor {
			t.Errorf("at +%v: Fresh-For %q, want %s", st.at, got, st.freshFor)
		}
		if w.Body.String() != "value" {
			t.Errorf("at +%v: body %q", st.at, w.Body.String())
		}
		if ttl := jsonBody(t, do(t, s, "GET", "/v1/cache/k/ttl", ""))["ttl"]; ttl != st.ttl {
			t.Errorf("at +%v: GET /ttl = %v, want %v", st.at, ttl, st.ttl)
		}
	}
	wantStatus(t, do(t, s, "GET", "/v1/cache/k/ttl", ""), 404)
}

func TestNoExpiryEntry(t *testing.T) {
	s, clk := newTestServer(t, nil)
	wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "forever"), 200)
	clk.Advance(365 * 24 * time.Hour)
	w := do(t, s, "GET", "/v1/cache/k", "")
	wantStatus(t, w, 200)
	if w.Header().Get("X-CacheKit-Freshness") != "fresh" || len(w.Header().Values("X-CacheKit-Fresh-For")) != 0 {
		t.Errorf("no-expiry GET headers: Freshness %q, Fresh-For %q", w.Header().Get("X-CacheKit-Freshness"), w.Header().Values("X-CacheKit-Fresh-For"))
	}
	if m := jsonBody(t, do(t, s, "GET", "/v1/cache/k/ttl", "")); m["ttl"] != nil {
		t.Errorf("GET /ttl = %v, want null", m)
	}
	if _, ok := jsonBody(t, do(t, s, "GET", "/v1/cache/k/ttl", ""))["ttl"]; !ok {
		t.Error("GET /ttl has no ttl field")
	}
	// PATCH gives it its first expiry.
	wantStatus(t, do(t, s, "PATCH", "/v1/cache/k/ttl", `{"ttl": 30}`), 200)
	if m := jsonBody(t, do(t, s, "GET", "/v1/cache/k/ttl", "")); m["ttl"] != float64(30) {
		t.Errorf("GET /ttl after PATCH = %v, want 30", m)
	}
	// The legacy header bounds an entry too.
	wantStatus(t, do(t, s, "PUT", "/v1/cache/old", "v", "X-TTL", "60"), 200)
	if m := jsonBody(t, do(t, s, "GET", "/v1/cache/old/ttl", "")); m["ttl"] != float64(60) {
		t.Errorf("X-TTL entry: GET /ttl = %v, want 60", m)
	}
	wantStatus(t, do(t, s, "PUT", "/v1/cache/both", "v", "X-TTL", "60", "X-CacheKit-TTL", "20"), 200)
	if m := jsonBody(t, do(t, s, "GET", "/v1/cache/both/ttl", "")); m["ttl"] != float64(20) {
		t.Errorf("X-CacheKit-TTL must win over X-TTL: GET /ttl = %v, want 20", m)
	}
}

func TestPutValidation(t *testing.T) {
	s, _ := newTestServer(t, func(o *Options) { o.MaxValueSize = 10 })
	for _, c := range []struct {
		name   string
		header []string
		body   string
		want   int
	}{
		{"ttl 0", []string{"X-CacheKit-TTL", "0"}, "v", 400},
		{"ttl negative", []string{"X-CacheKit-TTL", "-1"}, "v", 400},
		{"ttl fraction", []string{"X-CacheKit-TTL", "1.5"}, "v", 400},
		{"ttl over cap", []string{"X-CacheKit-TTL", "2592001"}, "v", 400},
		{"ttl cap", []string{"X-CacheKit-TTL", "2592000"}, "v", 200},
		{"ttl twice", []string{"X-CacheKit-TTL", "5", "X-CacheKit-TTL", "6"}, "v", 400},
		{"legacy ttl 0", []string{"X-TTL", "0"}, "v", 400},
		{"stale without ttl", []string{"X-CacheKit-Stale-TTL", "5"}, "v", 400},
		{"stale negative", []string{"X-CacheKit-TTL", "5", "X-CacheKit-Stale-TTL", "-5"}, "v", 400},
		{"stale over sum", []string{"X-CacheKit-TTL", "2592000", "X-CacheKit-Stale-TTL", "1"}, "v", 400},
		{"stale zero", []string{"X-CacheKit-TTL", "5", "X-CacheKit-Stale-TTL", "0"}, "v", 200},
		{"stale with legacy ttl", []string{"X-TTL", "5", "X-CacheKit-Stale-TTL", "5"}, "v", 200},
		{"value at limit", []string{"X-CacheKit-TTL", "5"}, "0123456789", 200},
		{"value over limit", []string{"X-CacheKit-TTL", "5"}, "0123456789a", 413},
		{"empty value", []string{"X-CacheKit-TTL", "5"}, "", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := "k-" + strings.ReplaceAll(c.name, " ", "-")
			w := do(t, s, "PUT", "/v1/cache/"+key, c.body, c.header...)
			wantStatus(t, w, c.want)
			if c.want != 200 {
				wantStatus(t, do(t, s, "GET", "/v1/cache/"+key, ""), 404)
			}
		})
	}
}

// TestPutTooLargeUnread: a body over the limit is refused without being buffered whole,
// whether it declares its length or streams.
func TestPutTooLargeUnread(t *testing.T) {
	s, _ := newTestServer(t, func(o *Options) { o.MaxValueSize = 1 << 10 })
	for _, declared := range []bool{true, false} {
		src := &countingReader{limit: 64 << 20}
		req, _ := http.NewRequest("PUT", "/v1/cache/big", src)
		req.RequestURI = "/v1/cache/big"
		req.Header.Set("Authorization", "Bearer "+liveKey)
		if declared {
			req.ContentLength = src.limit
		} else {
			req.ContentLength = -1
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 413 {
			t.Errorf("declared %v: status %d, want 413", declared, w.Code)
		}
		if src.read > 2<<10+32<<10 {
			t.Errorf("declared %v: the server read %d bytes of a body over a 1 KiB limit", declared, src.read)
		}
	}
}

type countingReader struct{ limit, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.limit {
		return 0, errors.New("eof")
	}
	n := min(int64(len(p)), r.limit-r.read)
	r.read += n
	return int(n), nil
}

func TestPatchTTL(t *testing.T) {
	s, clk := newTestServer(t, nil)
	wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "v", "X-CacheKit-TTL", "10", "X-CacheKit-Stale-TTL", "100"), 200)
	for _, body := range []string{`{"ttl": 0}`, `{"ttl": -1}`, `{"ttl": 1.5}`, `{"ttl": "60"}`, `{"ttl": null}`, `{}`, `ttl=5`, `{"ttl": 2592001}`, `{"ttl": 2591901}`} {
		if got := do(t, s, "PATCH", "/v1/cache/k/ttl", body).Code; got != 400 {
			t.Errorf("PATCH %s = %d, want 400", body, got)
		}
	}
	wantStatus(t, do(t, s, "PATCH", "/v1/cache/absent/ttl", `{"ttl": 60}`), 200)
	wantStatus(t, do(t, s, "GET", "/v1/cache/absent", ""), 404)
	// Fresh: renewed from floor(now), stale window kept.
	clk.Advance(5 * time.Second)
	wantStatus(t, do(t, s, "PATCH", "/v1/cache/k/ttl", `{"ttl": 60}`), 200)
	if m := jsonBody(t, do(t, s, "GET", "/v1/cache/k/ttl", "")); m["ttl"] != float64(160) {
		t.Errorf("GET /ttl after PATCH = %v, want 60 + 100 stale", m)
	}
	// Stale: 409, and the entry is untouched.
	clk.Advance(61 * time.Second)
	w := do(t, s, "PATCH", "/v1/cache/k/ttl", `{"ttl": 60}`)
	wantStatus(t, w, 409)
	if got := do(t, s, "GET", "/v1/cache/k", "").Header().Get("X-CacheKit-Freshness"); got != "stale" {
		t.Errorf("after a refused PATCH the entry is %q, want still stale", got)
	}
}

func TestDeleteAndLocks(t *testing.T) {
	s, clk := newTestServer(t, nil)
	wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "v", "X-CacheKit-TTL", "60"), 200)
	for range 2 {
		w := do(t, s, "DELETE", "/v1/cache/k", "")
		wantStatus(t, w, 200)
		if m := jsonBody(t, w); m["success"] != true {
			t.Errorf("DELETE body %v", m)
		}
	}
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", ""), 404)

	m := jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", `{"timeout_ms": 5000}`))
	id, _ := m["lock_id"].(string)
	if id == "" {
		t.Fatalf("POST lock = %v, want a lock id", m)
	}
	if m := jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", `{"timeout_ms": 5000}`)); m["lock_id"] != nil {
		t.Errorf("second POST lock = %v, want lock_id null", m)
	} else if _, ok := m["lock_id"]; !ok {
		t.Error("contested answer has no lock_id field")
	}
	if h := jsonBody(t, do(t, s, "GET", "/v1/cache/health", "")); h["active_locks"] != float64(1) {
		t.Errorf("health = %v, want one active lock", h)
	}
	// The lock is not an entry.
	wantStatus(t, do(t, s, "GET", "/v1/cache/k:lock", ""), 404)
	wantStatus(t, do(t, s, "DELETE", "/v1/cache/k/lock", ""), 400)
	wantStatus(t, do(t, s, "DELETE", "/v1/cache/k/lock", "", "X-CacheKit-Lock-Id", "   "), 400)
	if m := jsonBody(t, do(t, s, "DELETE", "/v1/cache/k/lock", "", "X-CacheKit-Lock-Id", "wrong")); m["success"] != false {
		t.Errorf("release with a wrong id = %v", m)
	}
	if m := jsonBody(t, do(t, s, "DELETE", "/v1/cache/k/lock", "", "X-CacheKit-Lock-Id", id)); m["success"] != true {
		t.Errorf("release by the holder = %v", m)
	}
	// The legacy query parameter still works, the header wins when both are given.
	id2, _ := jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", ""))["lock_id"].(string)
	if m := jsonBody(t, do(t, s, "DELETE", "/v1/cache/k/lock?lock_id="+id2, "", "X-CacheKit-Lock-Id", "wrong")); m["success"] != false {
		t.Errorf("header must win over the query: %v", m)
	}
	if m := jsonBody(t, do(t, s, "DELETE", "/v1/cache/k/lock?lock_id="+id2, "")); m["success"] != true {
		t.Errorf("release by query = %v", m)
	}
	// Expiry frees the lock.
	jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", `{"timeout_ms": 1000}`))
	clk.Advance(2 * time.Second)
	if m := jsonBody(t, do(t, s, "POST", "/v1/cache/k/lock", `{"timeout_ms": 1000}`)); m["lock_id"] == nil {
		t.Errorf("POST lock after expiry = %v, want a new id", m)
	}
	for _, bad := range []string{`{"timeout_ms": 0}`, `{"timeout_ms": -5}`, `{"timeout_ms": 1.5}`, `nope`} {
		if got := do(t, s, "POST", "/v1/cache/other/lock", bad).Code; got != 400 {
			t.Errorf("POST lock %s = %d, want 400", bad, got)
		}
	}
}

func TestHealth(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for i := range 3 {
		wantStatus(t, do(t, s, "PUT", fmt.Sprintf("/v1/cache/k%d", i), "v", "X-CacheKit-TTL", "60"), 200)
	}
	jsonBody(t, do(t, s, "POST", "/v1/cache/k0/lock", ""))
	m := jsonBody(t, do(t, s, "GET", "/v1/cache/health", ""))
	if m["status"] != "ok" || m["cache_entries"] != float64(3) || m["active_locks"] != float64(1) {
		t.Errorf("health = %v, want ok, 3 entries, 1 lock", m)
	}
}

// failing is a store whose every call fails with err.
type failing struct {
	backend.Backend
	backend.Locker
	err error
}

func (f failing) Get(context.Context, string) ([]byte, bool, error) { return nil, false, f.err }
func (f failing) Set(context.Context, string, []byte, time.Duration) error {
	return f.err
}

func (f failing) Health(context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{}, f.err
}

func TestStoreFailures(t *testing.T) {
	m, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		kind backend.ErrorKind
		err  error
		want int
	}{
		{backend.KindTransient, errors.New("down"), 503},
		{backend.KindTimeout, errors.New("slow"), 503},
		{backend.KindPermanent, errors.New("broken"), 500},
		{backend.KindPermanent, backend.ErrValueTooLarge, 413},
	} {
		berr := backend.NewError(c.kind, "fake", "op", "k", c.err)
		s, _ := newTestServer(t, func(o *Options) { o.Backend = failing{m, m, berr} })
		w := do(t, s, "GET", "/v1/cache/k", "")
		wantStatus(t, w, c.want)
		if c.want == 503 && w.Header().Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		wantStatus(t, do(t, s, "PUT", "/v1/cache/k", "v"), c.want)
		if c.want != 413 {
			wantStatus(t, do(t, s, "GET", "/v1/cache/health", ""), 503)
		}
	}
}

func TestForeignStoreValuesAreMisses(t *testing.T) {
	m, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Set(t.Context(), entryPrefix+"k", []byte("not a record"), time.Minute); err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, func(o *Options) { o.Backend = m })
	wantStatus(t, do(t, s, "GET", "/v1/cache/k", ""), 404)
	wantStatus(t, do(t, s, "GET", "/v1/cache/k/ttl", ""), 404)
}

func TestRecordRoundTrip(t *testing.T) {
	for _, r := range []record{{}, {freshUntil: 1, staleTTL: 5, value: []byte("x")}, {freshUntil: 1 << 62, value: make([]byte, 1000)}} {
		got, ok := decodeRecord(r.encode())
		if !ok || got.freshUntil != r.freshUntil || got.staleTTL != r.staleTTL || string(got.value) != string(r.value) {
			t.Errorf("decodeRecord(encode(%+v)) = %+v, %v", r, got, ok)
		}
	}
	for _, b := range [][]byte{nil, []byte("ckd1"), []byte("xxxx000000000000"), record{staleTTL: 5}.encode(), record{freshUntil: -1}.encode()} {
		if _, ok := decodeRecord(b); ok {
			t.Errorf("decodeRecord(%q) accepted", b)
		}
	}
}
