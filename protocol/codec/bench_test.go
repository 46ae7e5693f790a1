package codec_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/vmihailenco/msgpack/v5"
)

// benchUser3 is the value the root package's L1-hit benchmark stores.
type benchUser3 struct {
	ID     int64  `msgpack:"id"`
	Name   string `msgpack:"name"`
	Active bool   `msgpack:"active"`
}

// benchUser is a small struct with a time, the typical memoized record.
type benchUser struct {
	ID      int64     `msgpack:"id"`
	Name    string    `msgpack:"name"`
	Active  bool      `msgpack:"active"`
	Created time.Time `msgpack:"created"`
}

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

// benchShape is one value measured by BenchmarkMarshal and BenchmarkUnmarshal: how to
// build it, and how to decode a document into a fresh target of its Go type with each
// library.
type benchShape struct {
	name     string
	value    func() any
	codec    func([]byte, bool) error
	baseline func([]byte) error
}

func decodeWith[T any](unmarshal func([]byte, any) error) func([]byte) error {
	return func(data []byte) error {
		var v T
		return unmarshal(data, &v)
	}
}

func codecDecode[T any]() func([]byte, bool) error {
	return func(data []byte, strict bool) error {
		var v T
		if strict {
			return codec.UnmarshalStrict(data, &v)
		}
		return codec.Unmarshal(data, &v)
	}
}

func shape[T any](name string, value func() T) benchShape {
	return benchShape{
		name:     name,
		value:    func() any { v := value(); return &v },
		codec:    codecDecode[T](),
		baseline: decodeWith[T](msgpack.Unmarshal),
	}
}

func benchShapes() []benchShape {
	created := time.Date(2025, 11, 14, 10, 30, 0, 123456000, time.UTC)
	return []benchShape{
		shape("user3", func() benchUser3 { return benchUser3{ID: 42, Name: "Ada Lovelace", Active: true} }),
		shape("user", func() benchUser {
			return benchUser{ID: 42, Name: "Ada Lovelace", Active: true, Created: created}
		}),
		shape("order1k", newBenchOrder),
		shape("bytes64", func() []byte { return make([]byte, 64) }),
		shape("string", func() string { return "Hello, world!" }),
		shape("map", func() map[string]any {
			return map[string]any{
				"id": int64(42), "name": "Ada Lovelace", "active": true, "score": 97.5,
				"tags": []any{"admin", "ops"}, "team": "analytics", "logins": int64(1234), "parent": nil,
			}
		}),
		shape("any", func() any { return newBenchOrder() }),
	}
}

// BenchmarkMarshal compares Marshal and MarshalCanonical with vmihailenco/msgpack on
// the same values. vmihailenco writes time.Time as the timestamp extension, so its
// documents are a few bytes shorter for values holding a time.
func BenchmarkMarshal(b *testing.B) {
	for _, s := range benchShapes() {
		v := s.value()
		b.Run(s.name, func(b *testing.B) {
			doc, _ := codec.Marshal(v)
			b.Logf("document size %d bytes", len(doc))
			b.Run("vmihailenco", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := msgpack.Marshal(v); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("codec", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := codec.Marshal(v); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("codec-canonical", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := codec.MarshalCanonical(v); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkUnmarshal compares Unmarshal and UnmarshalStrict with vmihailenco/msgpack,
// each decoding the document its own library wrote for the same value into a fresh
// target of the same Go type ("any" decodes the 1 KiB order into an interface).
func BenchmarkUnmarshal(b *testing.B) {
	for _, s := range benchShapes() {
		v := s.value()
		ours, err := codec.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		theirs, err := msgpack.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s.name, func(b *testing.B) {
			b.Run("vmihailenco", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.baseline(theirs); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("codec", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.codec(ours, false); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("codec-strict", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.codec(ours, true); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
