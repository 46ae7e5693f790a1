package codec

import "testing"

// BenchmarkScanDocument measures the bounds walk alone on a 1 KiB document of maps,
// arrays, strings, floats and a bin: it must not allocate.
func BenchmarkScanDocument(b *testing.B) {
	items := make([]any, 12)
	for i := range items {
		items[i] = map[string]any{"sku": "SKU-000000-XL", "qty": i, "price": 19.99}
	}
	doc, err := Marshal(map[string]any{
		"id": uint64(9007199254740993), "customer": "Alice Example", "paid": true,
		"tags": []any{"a", "b", "c", "d", "e", "f", "g", "h"}, "items": items,
		"blob": make([]byte, 64),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := scanDocument(doc); err != nil || n != len(doc) {
			b.Fatal(n, err)
		}
	}
}
