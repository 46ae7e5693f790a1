package memcached_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// benchParallel runs op b.N times in total, spread over exactly workers goroutines.
func benchParallel(b *testing.B, workers int, op func(i int) error) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(1024)
	var wg sync.WaitGroup
	per := b.N / workers
	extra := b.N % workers
	b.ResetTimer()
	for w := range workers {
		n := per
		if w < extra {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if err := op(i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkGet and BenchmarkSet compare the backend with gomemcache used directly (the
// baseline, same server, same pool size) for 1 KiB values at 1, 8 and 64 concurrent
// callers.
func BenchmarkGet(b *testing.B) { benchmarkOp(b, "get") }

// BenchmarkSet: see BenchmarkGet.
func BenchmarkSet(b *testing.B) { benchmarkOp(b, "set") }

func benchmarkOp(b *testing.B, op string) {
	srv := testserver.StartMemcached(b, testserver.MemcachedOptions{})
	value := bytes.Repeat([]byte("v"), 1024)
	const keys = 1024
	keyNames := make([]string, keys)
	for i := range keyNames {
		keyNames[i] = fmt.Sprintf("bench:%s:%d", op, i)
	}
	ctx := context.Background()
	for _, workers := range []int{1, 8, 64} {
		opts := memcached.Options{Servers: []string{srv.Addr}, MaxIdleConns: workers}
		be, err := memcached.New(opts)
		if err != nil {
			b.Fatal(err)
		}
		raw := memcache.New(srv.Addr)
		raw.MaxIdleConns = workers
		for _, k := range keyNames {
			if err := be.Set(ctx, k, value, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("gomemcache/p=%d", workers), func(b *testing.B) {
			benchParallel(b, workers, func(i int) error {
				k := keyNames[i%keys]
				if op == "get" {
					_, err := raw.Get(k)
					return err
				}
				return raw.Set(&memcache.Item{Key: k, Value: value, Expiration: 3600})
			})
		})
		b.Run(fmt.Sprintf("cachekit/p=%d", workers), func(b *testing.B) {
			benchParallel(b, workers, func(i int) error {
				k := keyNames[i%keys]
				if op == "get" {
					_, _, err := be.Get(ctx, k)
					return err
				}
				return be.Set(ctx, k, value, time.Hour)
			})
		})
		_ = raw.Close()
		_ = be.Close()
	}
}
