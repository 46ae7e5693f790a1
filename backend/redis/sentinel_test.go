package redis

import (
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func TestSentinel(t *testing.T) {
	s := testserver.StartRedisSentinel(t)
	b := newBackend(t, Options{Addrs: []string{s.Sentinel.Addr}, MasterName: s.MasterName})
	ctx := testCtx(t)
	if err := b.Set(ctx, "sn:k", []byte("through sentinel"), time.Minute); err != nil {
		t.Fatal(err)
	}
	// The value landed on the master the sentinel names.
	if v, err := s.Master.Do("GET", "sn:k"); err != nil || v != "through sentinel" {
		t.Fatalf("master GET = %v, %v", v, err)
	}
	v, found, err := b.Get(ctx, "sn:k")
	if err != nil || !found || string(v) != "through sentinel" {
		t.Fatalf("Get = %q, %v, %v", v, found, err)
	}
	if st, err := b.Health(ctx); err != nil || st.Details["mode"] != "sentinel" {
		t.Fatalf("Health = %+v, %v", st, err)
	}
	rec := subscribe(t, b, "sn:")
	if _, err := s.Master.Do("SET", "sn:other", "x"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "through the sentinel-managed master", keyIs("sn:other"))
}
