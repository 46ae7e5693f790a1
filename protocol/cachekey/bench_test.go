package cachekey_test

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"golang.org/x/crypto/blake2b"
)

// BenchmarkInterop measures the key of a small call against its irreducible part (the
// BLAKE2b-256 of the same 4 bytes plus the hex and the string), measured in the same run.
func BenchmarkInterop(b *testing.B) {
	b.Run("baseline-blake2b-hex", func(b *testing.B) {
		b.ReportAllocs()
		canonical := []byte{0x92, 0x2a, 0xa1, 'x'}
		for b.Loop() {
			sum := blake2b.Sum256(canonical)
			_ = "myapp:get_user:" + hex.EncodeToString(sum[:])
		}
	})
	b.Run("small-args", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cachekey.Interop("myapp", "get_user", 42, "x"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("float-time-uuid", func(b *testing.B) {
		b.ReportAllocs()
		when := time.Date(2024, 1, 1, 12, 30, 45, 123456000, time.UTC)
		u := cachekey.UUID{1, 2, 3}
		for b.Loop() {
			if _, err := cachekey.Interop("myapp", "search", 2.0, when, u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map-and-set", func(b *testing.B) {
		b.ReportAllocs()
		filter := map[string]any{"status": "active", "limit": 50, "tags": cachekey.Set{"b", "a", "c"}}
		for b.Loop() {
			if _, err := cachekey.Interop("myapp", "list_users", filter); err != nil {
				b.Fatal(err)
			}
		}
	})
}
