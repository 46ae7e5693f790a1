package memory

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// benchKeys is the working set: small enough to stay in cache, large enough to spread
// over every shard.
const benchKeys = 1024

// mutexMap is the baseline: one map behind one RWMutex, copying values in and out
// exactly as Backend does, without TTLs or shards. The gap to it is the price of
// expiry checks, and, in parallel, the gain of sharding.
type mutexMap struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (m *mutexMap) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.RLock()
	v, ok := m.m[key]
	m.mu.RUnlock()
	if !ok {
		return nil, false, nil
	}
	return clone(v), true, nil
}

func (m *mutexMap) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	v := clone(value)
	m.mu.Lock()
	m.m[key] = v
	m.mu.Unlock()
	return nil
}

type getSetter interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

func benchTargets(b *testing.B) []struct {
	name string
	s    getSetter
} {
	mem := newBackend(b, Options{})
	return []struct {
		name string
		s    getSetter
	}{
		{"mutexmap", &mutexMap{m: make(map[string][]byte)}},
		{"memory", mem},
	}
}

func benchKeyNames() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = "bench:key:" + strconv.Itoa(i)
	}
	return keys
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	value := make([]byte, 1024)
	keys := benchKeyNames()
	for _, target := range benchTargets(b) {
		for _, k := range keys {
			if err := target.s.Set(ctx, k, value, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(target.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			i := 0
			for b.Loop() {
				if _, found, _ := target.s.Get(ctx, keys[i%benchKeys]); !found {
					b.Fatal("miss")
				}
				i++
			}
		})
		b.Run(target.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			var seq atomic.Uint64
			b.RunParallel(func(pb *testing.PB) {
				i := int(seq.Add(1)) * 7919
				for pb.Next() {
					if _, found, _ := target.s.Get(ctx, keys[i%benchKeys]); !found {
						b.Error("miss")
						return
					}
					i++
				}
			})
		})
	}
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	value := make([]byte, 1024)
	keys := benchKeyNames()
	for _, target := range benchTargets(b) {
		b.Run(target.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			i := 0
			for b.Loop() {
				if err := target.s.Set(ctx, keys[i%benchKeys], value, time.Hour); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(target.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			var seq atomic.Uint64
			b.RunParallel(func(pb *testing.PB) {
				i := int(seq.Add(1)) * 7919
				for pb.Next() {
					if err := target.s.Set(ctx, keys[i%benchKeys], value, time.Hour); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkSetWithSubscriber measures the cost a subscriber adds to every Set.
func BenchmarkSetWithSubscriber(b *testing.B) {
	ctx := backend.WithOrigin(context.Background(), "bench")
	mem := newBackend(b, Options{})
	stop, err := mem.SubscribeInvalidations(ctx, "bench:", func(backend.Invalidation) {})
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	value := make([]byte, 1024)
	keys := benchKeyNames()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := mem.Set(ctx, keys[i%benchKeys], value, time.Hour); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
