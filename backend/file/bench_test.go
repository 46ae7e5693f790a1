//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSet1KiB measures Set of a 1 KiB value. The baseline "os" sub-benchmark does
// the same file-system work by hand (create, write, fsync, close, rename), so the
// difference is this package's own cost.
func BenchmarkSet1KiB(b *testing.B) {
	value := make([]byte, 1024)
	b.Run("os", func(b *testing.B) {
		dir := b.TempDir()
		dst := filepath.Join(dir, "entry")
		tmp := filepath.Join(dir, "entry.tmp")
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = f.Write(value)
			_ = f.Sync()
			_ = f.Close()
			if err := os.Rename(tmp, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file", func(b *testing.B) {
		bk := newTestBackend(b, Options{})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := bk.Set(ctx, "bench", value, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGet1KiB measures Get of a 1 KiB value against os.ReadFile of the same file.
func BenchmarkGet1KiB(b *testing.B) {
	bk := newTestBackend(b, Options{})
	ctx := context.Background()
	if err := bk.Set(ctx, "bench", make([]byte, 1024), time.Hour); err != nil {
		b.Fatal(err)
	}
	b.Run("os", func(b *testing.B) {
		path := bk.path("bench")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := os.ReadFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, found, err := bk.Get(ctx, "bench"); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
}
