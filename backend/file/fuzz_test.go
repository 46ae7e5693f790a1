//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadEntry places arbitrary bytes as the entry file of a key and reads it with Get
// at a fixed time. Properties: no panic and no error; a hit returns exactly the bytes
// after a valid, unexpired, zero-flag header; a file with a non-zero reserved byte or
// flags is left byte for byte as it was; a corrupt or expired file is removed.
func FuzzReadEntry(f *testing.F) {
	for _, s := range []string{
		"434b010000000000000000000000" + "68656c6c6f",
		"434b0100000000000000f4865700" + "68656c6c6f",
		"434b010000010000000000000000667574757265",
		"434b0102000000000000000000007265736572766564",
		"434b01000000000000003b9aca0065787069726564",
		"434b01", "", "434b030000000a7b7d",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	now := time.Unix(1_000_000_000, 0)
	dir := f.TempDir()
	b, err := New(Options{Dir: dir, Clock: func() time.Time { return now }, MaxTotalBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, EntryName("fuzz"))
	f.Fuzz(func(t *testing.T, file []byte) {
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		value, found, err := b.Get(context.Background(), "fuzz")
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		h, perr := ParseHeader(file)
		switch {
		case errors.Is(perr, ErrUnsupportedEntry):
			if found {
				t.Fatal("returned the payload of an unsupported header")
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, file) {
				t.Fatalf("unsupported entry changed: %v", err)
			}
		case perr != nil || h.Expired(now):
			if found {
				t.Fatalf("returned %x for a corrupt or expired file", value)
			}
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Fatal("corrupt or expired file not removed")
			}
		default:
			if !found || !bytes.Equal(value, file[HeaderSize:]) {
				t.Fatalf("Get = %x, %v; want %x", value, found, file[HeaderSize:])
			}
		}
	})
}
