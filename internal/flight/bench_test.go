package flight

import (
	"context"
	"runtime"
	"testing"

	"golang.org/x/sync/singleflight"
)

// BenchmarkDoUncontended measures a cold flight with no other caller, the cost Do adds
// to every cache miss, against calling the load directly and x/sync/singleflight.
func BenchmarkDoUncontended(b *testing.B) {
	load := func(context.Context) (int, error) { return 1, nil }
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()

	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := load(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("singleflight", func(b *testing.B) {
		b.ReportAllocs()
		var g singleflight.Group
		for b.Loop() {
			if _, err, _ := g.Do("app:k", func() (any, error) { return load(context.Background()) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"flight/background", context.Background()}, // runs on the caller's goroutine
		{"flight/cancellable", cancellable},         // starts the flight's goroutine
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			g, err := New[int](Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			for b.Loop() {
				if _, _, err := g.Do(bc.ctx, "app:k", nil, load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDoParallel64 runs 64 goroutines calling Do on one key: each call starts a
// flight or joins the running one.
func BenchmarkDoParallel64(b *testing.B) {
	load := func(context.Context) (int, error) { return 1, nil }
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	parallelism := func(b *testing.B) {
		// RunParallel starts parallelism x GOMAXPROCS goroutines.
		b.SetParallelism(max(1, 64/testingProcs()))
	}

	b.Run("singleflight", func(b *testing.B) {
		b.ReportAllocs()
		parallelism(b)
		var g singleflight.Group
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err, _ := g.Do("app:k", func() (any, error) { return load(context.Background()) }); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"flight/background", context.Background()},
		{"flight/cancellable", cancellable},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			parallelism(b)
			g, err := New[int](Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := g.Do(bc.ctx, "app:k", nil, load); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }
