package redis

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
	"github.com/redis/rueidis"
)

// benchParallelism are the b.SetParallelism factors: goroutines = factor x GOMAXPROCS.
var benchParallelism = []int{1, 8, 64}

// benchSetup starts a server, a Backend and, as the baseline, a bare rueidis client with
// the same settings, and stores the 1 KiB value read by the Get benchmarks.
func benchSetup(b *testing.B) (*Backend, rueidis.Client, []byte) {
	srv := testserver.StartRedis(b, testserver.RedisOptions{})
	be := newBackend(b, Options{Addrs: []string{srv.Addr}})
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true, DisableRetry: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	value := make([]byte, 1024)
	for i := range value {
		value[i] = byte(i)
	}
	if err := be.Set(context.Background(), "bench:get", value, time.Hour); err != nil {
		b.Fatal(err)
	}
	return be, client, value
}

func BenchmarkGet(b *testing.B) {
	be, client, _ := benchSetup(b)
	ctx := context.Background()
	for _, p := range benchParallelism {
		b.Run("rueidis/p="+strconv.Itoa(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := client.Do(ctx, client.B().Get().Key("bench:get").Build()).AsBytes(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run("backend/p="+strconv.Itoa(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, found, err := be.Get(ctx, "bench:get"); err != nil || !found {
						b.Error(found, err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkSet(b *testing.B) {
	be, client, value := benchSetup(b)
	ctx := context.Background()
	for _, p := range benchParallelism {
		b.Run("rueidis/p="+strconv.Itoa(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					cmd := client.B().Set().Key("bench:set").Value(rueidis.BinaryString(value)).ExSeconds(60).Build()
					if err := client.Do(ctx, cmd).Error(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run("backend/p="+strconv.Itoa(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := be.Set(ctx, "bench:set", value, time.Minute); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
