//go:build unix

package bench

import (
	"bytes"
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/cachekit-io/cachekit-go"
	ckredis "github.com/cachekit-io/cachekit-go/backend/redis"
)

// newRedisFixture connects every Redis client under test to the benchmark server and
// writes each one's keys, so reads are hits.
func newRedisFixture(tb testing.TB) *remoteFixture {
	tb.Helper()
	addr := redisServer.addr(tb)
	ctx := context.Background()
	f := &remoteFixture{}
	fail := func(name string, err error) {
		f.close()
		tb.Fatalf("%s: %v", name, err)
	}

	// backend/redis, shared by the cachekit clients and measured alone.
	be, err := ckredis.New(ckredis.Options{Addrs: []string{addr}})
	if err != nil {
		fail("backend/redis", err)
	}
	f.closers = append(f.closers, func() { be.Close() })

	// cachekit with the L1 off: every call goes to Redis.
	ck, err := cachekit.New(cachekit.Options{
		Backend: be, Namespace: keyPrefix, DefaultTTL: entryTTL,
		L1: cachekit.L1Options{Disabled: true},
	})
	if err != nil {
		fail("cachekit", err)
	}
	f.closers = append(f.closers, func() { ck.Close() })
	f.impls = append(f.impls, cachekitImpl("cachekit", ck, "ck"))

	// cachekit with the L1 on, reads only. Its own namespace keeps the other
	// implementations' writes outside the prefix it tracks for invalidations.
	ckl1, err := cachekit.New(cachekit.Options{
		Backend: be, Namespace: keyPrefix + "-l1", DefaultTTL: entryTTL,
		L1: cachekit.L1Options{Capacity: l1Capacity},
	})
	if err != nil {
		fail("cachekit-l1", err)
	}
	f.closers = append(f.closers, func() { ckl1.Close() })
	l1 := cachekitImpl("cachekit-l1", ckl1, "ck")
	l1.readOnly = true
	f.impls = append(f.impls, l1)

	// backend/redis alone: the same GET and SET EX the client sends, without the client.
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

	// go-redis with its defaults (RESP3, a pool of 10 connections per GOMAXPROCS).
	gr := goredis.NewClient(&goredis.Options{Addr: addr})
	f.closers = append(f.closers, func() { gr.Close() })
	grKeys, _ := storageKeys("gr")
	f.impls = append(f.impls, remoteImpl{
		name: "go-redis",
		get: func(ctx context.Context, i int) ([]byte, bool) {
			v, err := gr.Get(ctx, grKeys[i]).Bytes()
			return v, err == nil
		},
		set: func(ctx context.Context, i int) bool {
			return gr.Set(ctx, grKeys[i], samplePayloads[i], entryTTL).Err() == nil
		},
	})

	// rueidis with its defaults (auto-pipelining of concurrent commands).
	ru, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		fail("rueidis", err)
	}
	f.closers = append(f.closers, ru.Close)
	ruKeys, _ := storageKeys("ru")
	ttlSeconds := int64(entryTTL.Seconds())
	f.impls = append(f.impls, remoteImpl{
		name: "rueidis",
		get: func(ctx context.Context, i int) ([]byte, bool) {
			v, err := ru.Do(ctx, ru.B().Get().Key(ruKeys[i]).Build()).AsBytes()
			return v, err == nil
		},
		set: func(ctx context.Context, i int) bool {
			cmd := ru.B().Set().Key(ruKeys[i]).Value(rueidis.BinaryString(samplePayloads[i])).ExSeconds(ttlSeconds).Build()
			return ru.Do(ctx, cmd).Error() == nil
		},
	})

	if err := f.preload(ctx); err != nil {
		fail("preload", err)
	}
	return f
}

// TestRedisPeers checks that every Redis client under test reads back the 1 KiB values
// it wrote, and that cachekit stored plain MessagePack (DESIGN.md: the default
// container), which go-redis reads and vmihailenco/msgpack decodes.
func TestRedisPeers(t *testing.T) {
	f := newRedisFixture(t)
	defer f.close()
	checkRemote(t, f)

	gr := goredis.NewClient(&goredis.Options{Addr: redisServer.addr(t)})
	defer gr.Close()
	storage, _ := storageKeys("ck")
	for _, i := range []int{0, 1, keyCount - 1} {
		raw, err := gr.Get(context.Background(), storage[i]).Bytes()
		if err != nil {
			t.Fatalf("%s: %v", storage[i], err)
		}
		var got []byte
		if err := msgpack.Unmarshal(raw, &got); err != nil || !bytes.Equal(got, samplePayloads[i]) {
			t.Fatalf("%s: stored %d bytes that are not the MessagePack of the payload (%v)", storage[i], len(raw), err)
		}
	}
}

// BenchmarkRedis measures GET and SET of 1 KiB with 1, 8 and 64 concurrent callers.
func BenchmarkRedis(b *testing.B) {
	f := newRedisFixture(b)
	defer f.close()
	checkRemote(b, f)
	benchmarkRemote(b, f)
}
