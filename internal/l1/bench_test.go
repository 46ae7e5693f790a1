package l1

import (
	"fmt"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"
)

// BenchmarkGet compares an L1 hit with a bare otter lookup of the same shape (string
// key, pointer value, per-entry expiry) measured in the same run.
func BenchmarkGet(b *testing.B) {
	const n = 1024
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprint("user:", i)
	}
	value := make([]byte, 64)

	b.Run("otter", func(b *testing.B) {
		o := otter.Must(&otter.Options[string, []byte]{
			MaximumSize:      DefaultCapacity * 2,
			ExpiryCalculator: otter.ExpiryWriting[string, []byte](time.Minute),
		})
		defer o.StopAllGoroutines()
		for _, k := range keys {
			o.Set(k, value)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, ok := o.GetIfPresent(keys[i%n]); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("l1", func(b *testing.B) {
		c, err := New(Options{Capacity: DefaultCapacity * 2})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for _, k := range keys {
			c.Store(k, value, time.Minute, c.Generation(k))
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, ok := c.Get(keys[i%n]); !ok {
				b.Fatal("miss")
			}
		}
	})
}
