package codec_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/vmihailenco/msgpack/v5"
)

type benchItem struct {
	SKU   string  `msgpack:"sku"`
	Qty   int     `msgpack:"qty"`
	Price float64 `msgpack:"price"`
}

// benchOrder encodes to about 1 KiB.
type benchOrder struct {
	ID       uint64             `msgpack:"id"`
	Customer string             `msgpack:"customer"`
	Email    string             `msgpack:"email"`
	Created  time.Time          `msgpack:"created"`
	Paid     bool               `msgpack:"paid"`
	Tags     []string           `msgpack:"tags"`
	Scores   map[string]float64 `msgpack:"scores"`
	Items    []benchItem        `msgpack:"items"`
	Note     string             `msgpack:"note"`
	Blob     []byte             `msgpack:"blob"`
}

func newBenchOrder() benchOrder {
	o := benchOrder{
		ID: 9007199254740993, Customer: "Alice Example", Email: "alice@example.com",
		Created: time.Date(2025, 11, 14, 10, 30, 0, 123456000, time.UTC), Paid: true,
		Scores: map[string]float64{},
		Note:   "Leave the parcel with the neighbour at number 42 if nobody answers the door.",
		Blob:   make([]byte, 64),
	}
	for i := range 10 {
		o.Tags = append(o.Tags, fmt.Sprintf("tag-%02d", i))
		o.Scores[fmt.Sprintf("metric-%02d", i)] = float64(i) * 1.5
	}
	for i := range 12 {
		o.Items = append(o.Items, benchItem{SKU: fmt.Sprintf("SKU-%06d-XL", i), Qty: i + 1, Price: 19.99 + float64(i)})
	}
	return o
}

func BenchmarkMarshal(b *testing.B) {
	o := newBenchOrder()
	size, _ := codec.Marshal(o)
	b.Logf("document size %d bytes", len(size))
	b.Run("vmihailenco", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := msgpack.Marshal(&o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.Marshal(&o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec-canonical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.MarshalCanonical(&o); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	o := newBenchOrder()
	ours, _ := codec.Marshal(o)
	theirs, _ := msgpack.Marshal(o) // time.Time as the timestamp extension
	b.Run("vmihailenco", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v benchOrder
			if err := msgpack.Unmarshal(theirs, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v benchOrder
			if err := codec.Unmarshal(ours, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec-strict", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v benchOrder
			if err := codec.UnmarshalStrict(ours, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vmihailenco-any", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := msgpack.Unmarshal(theirs, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec-any", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := codec.Unmarshal(ours, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	str, _ := codec.Marshal("Hello, world!")
	b.Run("codec-string", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v string
			if err := codec.Unmarshal(str, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
