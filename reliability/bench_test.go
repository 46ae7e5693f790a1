package reliability

import (
	"context"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// BenchmarkGet measures the overhead of the full stack (defaults) on a hit in the
// memory backend against the bare memory backend, serially and in parallel.
func BenchmarkGet(b *testing.B) {
	inner, err := memory.New(memory.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer inner.Close()
	ctx := context.Background()
	if err := inner.Set(ctx, "bench:key", make([]byte, 64), time.Hour); err != nil {
		b.Fatal(err)
	}
	wrapped, err := New(inner, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    backend.Backend
	}{{"memory", inner}, {"reliability", wrapped}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, found, err := c.b.Get(ctx, "bench:key"); !found || err != nil {
					b.Fatal(found, err)
				}
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, found, err := c.b.Get(ctx, "bench:key"); !found || err != nil {
						b.Error(found, err)
						return
					}
				}
			})
		})
	}
}
