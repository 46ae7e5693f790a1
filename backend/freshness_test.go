package backend_test

import (
	"context"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestFreshnessL1TTL follows the backfill rule of the cachekit.io contract
// (PROTOCOL.md §5): stale never cached, Fresh-For 0 never cached, a positive Fresh-For
// bounds the local lifetime, none leaves it.
func TestFreshnessL1TTL(t *testing.T) {
	t.Parallel()
	local := 30 * time.Second
	tests := []struct {
		name   string
		f      backend.Freshness
		want   time.Duration
		wantOK bool
	}{
		{"no information", backend.Freshness{}, local, true},
		{"stale", backend.Freshness{Stale: true}, 0, false},
		{"stale with fresh-for", backend.Freshness{Stale: true, HasFreshFor: true, FreshFor: time.Minute}, 0, false},
		{"fresh-for zero", backend.Freshness{HasFreshFor: true}, 0, false},
		{"fresh-for shorter", backend.Freshness{HasFreshFor: true, FreshFor: 5 * time.Second}, 5 * time.Second, true},
		{"fresh-for longer", backend.Freshness{HasFreshFor: true, FreshFor: time.Hour}, local, true},
	}
	for _, tt := range tests {
		got, ok := tt.f.L1TTL(local)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: L1TTL(%v) = (%v, %v), want (%v, %v)", tt.name, local, got, ok, tt.want, tt.wantOK)
		}
	}
	if _, ok := (backend.Freshness{}).L1TTL(0); ok {
		t.Error("L1TTL(0) allowed caching")
	}
}

func TestFreshnessSink(t *testing.T) {
	t.Parallel()
	if backend.FreshnessSink(context.Background()) != nil {
		t.Fatal("a plain context has a sink")
	}
	var f backend.Freshness
	ctx := backend.WithFreshness(context.Background(), &f)
	backend.FreshnessSink(ctx).Stale = true
	if !f.Stale {
		t.Fatal("the sink is not the caller's value")
	}
}

func TestCacheStatsHitRate(t *testing.T) {
	t.Parallel()
	if r := (backend.CacheStats{}).L1HitRate(); r != 0 {
		t.Errorf("empty hit rate = %v", r)
	}
	if r := (backend.CacheStats{L1Hits: 3, L2Hits: 1}).L1HitRate(); r != 0.75 {
		t.Errorf("hit rate = %v, want 0.75", r)
	}
}
