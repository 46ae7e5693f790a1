package cachekit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// hintServer is a cachekit.io stand-in whose GET answers carry the freshness headers a
// test chooses, and which records the L1 headers of every request.
type hintServer struct {
	mu        sync.Mutex
	freshness string // X-CacheKit-Freshness, "" for none
	freshFor  string // X-CacheKit-Fresh-For, "" for none
	seen      []http.Header
}

func (h *hintServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	freshness, freshFor := h.freshness, h.freshFor
	h.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		if freshness != "" {
			w.Header().Set("X-CacheKit-Freshness", freshness)
		}
		if freshFor != "" {
			w.Header().Set("X-CacheKit-Fresh-For", freshFor)
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte{0xa5, 'h', 'e', 'l', 'l', 'o'}) // MessagePack "hello"
	default:
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success": true}`))
	}
}

func (h *hintServer) set(freshness, freshFor string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.freshness, h.freshFor = freshness, freshFor
}

func (h *hintServer) last() http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[len(h.seen)-1]
}

func newHintClient(t *testing.T, o Options) (*Client, *hintServer) {
	t.Helper()
	hs := &hintServer{}
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	b, err := cachekitio.New(cachekitio.Options{
		APIURL: srv.URL, APIKey: "ck_test_hints", AllowInsecureLoopback: true, MaxRetries: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	o.Backend = b
	return newClient(t, o), hs
}

// TestCachekitIOFreshnessBoundsL1 follows PROTOCOL.md §5: a stale answer is returned but
// never enters the L1, Fresh-For 0 means no backfill, a positive Fresh-For bounds the L1
// lifetime, and no header leaves the local backfill lifetime.
func TestCachekitIOFreshnessBoundsL1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, freshness, freshFor string
		wantL1                    bool
		wantTTL                   time.Duration
	}{
		{"no headers", "", "", true, DefaultL1BackfillTTL},
		{"fresh", "fresh", "", true, DefaultL1BackfillTTL},
		{"stale", "stale", "100", false, 0},
		{"fresh-for zero", "fresh", "0", false, 0},
		{"fresh-for invalid means zero", "fresh", "12345678", false, 0},
		{"fresh-for shorter than the backfill cap", "fresh", "7", true, 7 * time.Second},
		{"fresh-for longer than the backfill cap", "", "3600", true, DefaultL1BackfillTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, wrap := range []bool{false, true} {
				o := Options{Namespace: "hints"}
				if wrap {
					o.Reliability = &reliability.Options{} // the hints must cross the middleware
				}
				c, hs := newHintClient(t, o)
				hs.set(tt.freshness, tt.freshFor)
				got, found, err := Get[string](context.Background(), c, "k")
				if err != nil || !found || got != "hello" {
					t.Fatalf("Get = (%q, %v, %v), want the value whatever its freshness", got, found, err)
				}
				e, inL1 := c.l1.Get("k")
				if inL1 != tt.wantL1 {
					t.Fatalf("reliability=%v: in L1 = %v, want %v", wrap, inL1, tt.wantL1)
				}
				if inL1 && e.TTL() != tt.wantTTL {
					t.Errorf("reliability=%v: L1 lifetime %v, want %v", wrap, e.TTL(), tt.wantTTL)
				}
			}
		})
	}
}

// TestCachekitIOReportsRealStats checks that the X-CacheKit-L1-* headers carry the
// client's own counters, and that a client without an L1 says so.
func TestCachekitIOReportsRealStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, hs := newHintClient(t, Options{Namespace: "stats"})
	for range 2 {
		if _, _, err := Get[string](ctx, c, "k"); err != nil { // L2 hit, then L1 hit
			t.Fatal(err)
		}
	}
	if err := c.Set(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	h := hs.last() // the PUT, sent after one L2 hit and one L1 hit
	for name, want := range map[string]string{
		"X-Cachekit-L1-Status":   "miss",
		"X-Cachekit-L1-Hits":     "1",
		"X-Cachekit-L2-Hits":     "1",
		"X-Cachekit-Misses":      "0",
		"X-Cachekit-L1-Hit-Rate": "0.500",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	nol1, hs2 := newHintClient(t, Options{Namespace: "stats", L1: L1Options{Disabled: true}})
	if _, _, err := Get[string](ctx, nol1, "k"); err != nil {
		t.Fatal(err)
	}
	if got := hs2.last().Get("X-Cachekit-L1-Status"); got != "disabled" {
		t.Errorf("without an L1, X-CacheKit-L1-Status = %q, want disabled", got)
	}
}
