//go:build unix

package bench

import (
	"context"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go"
	ckmemcached "github.com/cachekit-io/cachekit-go/backend/memcached"
)

// memcachedTimeout bounds each network step of both memcached clients. It is generous
// because a benchmark measures throughput, not timeouts: on a loaded machine the default
// 500 ms is sometimes exceeded, and a failed call fails the benchmark.
const memcachedTimeout = 5 * time.Second

// memcachedIdleConns is the idle-connection pool size given to both memcached clients:
// enough for 64 callers, so neither dials a connection per call. gomemcache's own
// default (2) would measure dialling instead of memcached.
const memcachedIdleConns = 64

// newMemcachedFixture connects every memcached client under test to the benchmark
// server and writes each one's keys, so reads are hits.
func newMemcachedFixture(tb testing.TB) *remoteFixture {
	tb.Helper()
	addr := memcachedServer.addr(tb)
	ctx := context.Background()
	f := &remoteFixture{}
	fail := func(name string, err error) {
		f.close()
		tb.Fatalf("%s: %v", name, err)
	}

	be, err := ckmemcached.New(ckmemcached.Options{
		Servers: []string{addr}, Timeout: memcachedTimeout, MaxIdleConns: memcachedIdleConns,
	})
	if err != nil {
		fail("backend/memcached", err)
	}
	f.closers = append(f.closers, func() { be.Close() })

	// cachekit with the L1 off: every call goes to memcached.
	ck, err := cachekit.New(cachekit.Options{
		Backend: be, Namespace: keyPrefix, DefaultTTL: entryTTL,
		L1: cachekit.L1Options{Disabled: true},
	})
	if err != nil {
		fail("cachekit", err)
	}
	f.closers = append(f.closers, func() { ck.Close() })
	f.impls = append(f.impls, cachekitImpl("cachekit", ck, "ck"))

	// backend/memcached alone, without the client.
	beKeys, _ := storageKeys("be")
	f.impls = append(f.impls, remoteImpl{
		name: "backend",
		get: func(ctx context.Context, i int) ([]byte, bool) {
			v, found, err := be.Get(ctx, beKeys[i])
			return v, found && err == nil
		},
		set: func(ctx context.Context, i int) bool {
			return be.Set(ctx, beKeys[i], samplePayloads[i], entryTTL) == nil
		},
	})

	// gomemcache with the same timeout and pool size as the backend.
	mc := memcache.New(addr)
	mc.Timeout = memcachedTimeout
	mc.MaxIdleConns = memcachedIdleConns
	f.closers = append(f.closers, func() { mc.Close() })
	mcKeys, _ := storageKeys("gm")
	expiration := int32(entryTTL / time.Second)
	f.impls = append(f.impls, remoteImpl{
		name: "gomemcache",
		get: func(_ context.Context, i int) ([]byte, bool) {
			it, err := mc.Get(mcKeys[i])
			if err != nil {
				return nil, false
			}
			return it.Value, true
		},
		set: func(_ context.Context, i int) bool {
			return mc.Set(&memcache.Item{Key: mcKeys[i], Value: samplePayloads[i], Expiration: expiration}) == nil
		},
	})

	if err := f.preload(ctx); err != nil {
		fail("preload", err)
	}
	return f
}

// TestMemcachedPeers checks that every memcached client under test reads back the 1 KiB
// values it wrote.
func TestMemcachedPeers(t *testing.T) {
	f := newMemcachedFixture(t)
	defer f.close()
	checkRemote(t, f)
}

// BenchmarkMemcached measures get and set of 1 KiB with 1, 8 and 64 concurrent callers.
func BenchmarkMemcached(b *testing.B) {
	f := newMemcachedFixture(b)
	defer f.close()
	checkRemote(b, f)
	benchmarkRemote(b, f)
}
