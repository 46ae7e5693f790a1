package memory

import (
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestExpiryNearTheEndOfTimeSaturates: UnixNano runs out in 2262, so the largest ttl
// given late in that range would overflow the expiry instant into the past. It must
// saturate instead: the entry is live, with a positive remaining TTL, and stays so.
func TestExpiryNearTheEndOfTimeSaturates(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{})
	clock.Set(time.Date(2250, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx := t.Context()
	if err := b.Set(ctx, "k", []byte("v"), backend.MaxTTL); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, "k"); err != nil || !found || string(v) != "v" {
		t.Fatalf("Get = %q, %v, %v; want the entry just set", v, found, err)
	}
	d, found, err := b.TTL(ctx, "k")
	if err != nil || !found || d <= 0 || d > backend.MaxTTL {
		t.Fatalf("TTL = %v, %v, %v; want live with a positive lifetime of at most MaxTTL", d, found, err)
	}
	clock.Advance(10 * 365 * 24 * time.Hour)
	if ok, err := b.Exists(ctx, "k"); err != nil || !ok {
		t.Fatalf("Exists ten years on = %v, %v", ok, err)
	}
	if ok, err := b.RefreshTTL(ctx, "k", backend.MaxTTL); err != nil || !ok {
		t.Fatalf("RefreshTTL = %v, %v", ok, err)
	}
	if d, found, err := b.TTL(ctx, "k"); err != nil || !found || d <= 0 {
		t.Fatalf("TTL after RefreshTTL = %v, %v, %v", d, found, err)
	}
}
