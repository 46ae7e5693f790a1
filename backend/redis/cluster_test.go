package redis

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func startCluster(t *testing.T, opts Options) (*testserver.RedisCluster, *Backend) {
	t.Helper()
	c := testserver.StartRedisCluster(t, 3)
	opts.Addrs = c.Addrs()
	return c, newBackend(t, opts)
}

func TestCluster(t *testing.T) {
	c, b := startCluster(t, Options{})
	ctx := testCtx(t)
	if st, err := b.Health(ctx); err != nil || st.Details["mode"] != "cluster" || st.Details["nodes"] != "3" {
		t.Fatalf("Health = %+v, %v", st, err)
	}

	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "cl:key:" + strconv.Itoa(i)
		if err := b.Set(ctx, keys[i], []byte("v"+strconv.Itoa(i)), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("a key on every master", func(t *testing.T) {
		for _, n := range c.Nodes {
			size, err := n.Do("DBSIZE")
			if err != nil || size.(int64) == 0 {
				t.Fatalf("node %s holds %v keys (%v); 64 keys should spread over all masters", n.Addr, size, err)
			}
		}
		for i, k := range keys {
			v, found, err := b.Get(ctx, k)
			if err != nil || !found || string(v) != "v"+strconv.Itoa(i) {
				t.Fatalf("Get(%s) = %q, %v, %v", k, v, found, err)
			}
		}
	})
	t.Run("GetMany across slots", func(t *testing.T) {
		got, err := b.GetMany(ctx, append([]string{"cl:absent"}, keys...))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(keys) {
			t.Fatalf("GetMany returned %d entries; want %d", len(got), len(keys))
		}
		for i, k := range keys {
			if string(got[k]) != "v"+strconv.Itoa(i) {
				t.Fatalf("GetMany[%s] = %q", k, got[k])
			}
		}
	})
	t.Run("ttl, delete, locks", func(t *testing.T) {
		for _, k := range keys[:8] {
			if d, found, err := b.TTL(ctx, k); err != nil || !found || d <= 0 {
				t.Fatalf("TTL(%s) = %v, %v, %v", k, d, found, err)
			}
			id, ok, err := b.AcquireLock(ctx, k, time.Second)
			if err != nil || !ok {
				t.Fatalf("AcquireLock(%s) = %v, %v", k, ok, err)
			}
			if rel, err := b.ReleaseLock(ctx, k, id); err != nil || !rel {
				t.Fatalf("ReleaseLock(%s) = %v, %v", k, rel, err)
			}
			if del, err := b.Delete(ctx, k); err != nil || !del {
				t.Fatalf("Delete(%s) = %v, %v", k, del, err)
			}
		}
	})
}

func TestClusterInvalidation(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c, b := startCluster(t, Options{Invalidation: m.mode})
			other := newBackend(t, Options{Addrs: c.Addrs(), PublishInvalidations: true})
			rec := subscribe(t, b, "ci:")
			ctx := testCtx(t)
			own := backend.WithOrigin(ctx, "me")
			// Hash tags put each pair (own key, marker) on one node, so the marker's
			// notification follows any echo of the own write on that node's connection.
			tags := make([]string, 12)
			for i := range tags {
				tags[i] = fmt.Sprintf("{t%d}", i)
				if err := b.Set(own, "ci:"+tags[i]+"own", []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
				if err := other.Set(ctx, "ci:"+tags[i]+"marker", []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			for _, tag := range tags {
				rec.waitFor(t, "for the foreign write", keyIs("ci:"+tag+"marker"))
			}
			for _, inv := range rec.snapshot() {
				if len(inv.Key) > 3 && inv.Key[len(inv.Key)-3:] == "own" && inv.Origin != "me" {
					t.Fatalf("own write reported as %+v", inv)
				}
			}
		})
	}
}
