//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testclock"
	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

type fileVector struct {
	Name                 string       `json:"name"`
	KeyUTF8              string       `json:"key_utf8"`
	Filename             string       `json:"filename"`
	HeaderHex            string       `json:"header_hex"`
	PayloadHex           string       `json:"payload_hex"`
	FileHex              string       `json:"file_hex"`
	ExpiryUnixSeconds    json.Number  `json:"expiry_unix_seconds"`
	Flags                json.Number  `json:"flags"`
	Reserved             *json.Number `json:"reserved"`
	ReaderNowUnixSeconds *json.Number `json:"reader_now_unix_seconds"`
	ReaderAction         string       `json:"reader_action"`
}

// name names a vector's subtest (for vectortest.Each).
func (v fileVector) name() string { return v.Name }

func loadFileVectors(t *testing.T) []fileVector {
	t.Helper()
	var doc struct {
		Vectors []fileVector `json:"vectors"`
	}
	vectortest.Load(t, "file-backend.json", &doc)
	if len(doc.Vectors) != 5 {
		t.Fatalf("file-backend.json has %d vectors, want 5", len(doc.Vectors))
	}
	return doc.Vectors
}

func vectorUint(t *testing.T, n *json.Number, def uint64) uint64 {
	t.Helper()
	if n == nil {
		return def
	}
	v, err := strconv.ParseUint(n.String(), 10, 64)
	if err != nil {
		t.Fatalf("bad number %q: %v", n, err)
	}
	return v
}

// TestFileBackendVectors runs every vector of file-backend.json through the name, the
// header parser, the writer (where the vector's header can be written) and the reader.
func TestFileBackendVectors(t *testing.T) {
	vectors := loadFileVectors(t)
	groups := []struct {
		name string
		run  func(t *testing.T, v fileVector)
	}{
		{"filename", checkVectorName},
		{"header", checkVectorHeader},
		{"writer", checkVectorWriter},
		{"reader", checkVectorReader},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			vectortest.Each(t, "file-backend.json", g.name, vectors, fileVector.name, g.run)
		})
	}
}

func checkVectorName(t *testing.T, v fileVector) {
	if got := EntryName(v.KeyUTF8); got != v.Filename {
		t.Fatalf("EntryName(%q) = %s, want %s", v.KeyUTF8, got, v.Filename)
	}
}

func checkVectorHeader(t *testing.T, v fileVector) {
	header := vectortest.MustHex(t, v.HeaderHex)
	payload := vectortest.MustHex(t, v.PayloadHex)
	file := vectortest.MustHex(t, v.FileHex)
	if !bytes.Equal(file, append(append([]byte{}, header...), payload...)) {
		t.Fatalf("file_hex is not header_hex + payload_hex")
	}
	h, err := ParseHeader(file)
	flags := vectorUint(t, (*json.Number)(&v.Flags), 0)
	reserved := vectorUint(t, v.Reserved, 0)
	if flags != 0 || reserved != 0 {
		if err == nil {
			t.Fatalf("ParseHeader accepted reserved %d flags %d", reserved, flags)
		}
	} else if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	want := Header{Version: 1, Reserved: uint8(reserved), Flags: uint16(flags),
		Expiry: vectorUint(t, (*json.Number)(&v.ExpiryUnixSeconds), 0)}
	if h != want {
		t.Fatalf("ParseHeader = %+v, want %+v", h, want)
	}
	if flags == 0 && reserved == 0 {
		if got := appendHeader(nil, h.Expiry); !bytes.Equal(got, header) {
			t.Fatalf("appendHeader = %x, want %s", got, v.HeaderHex)
		}
	}
}

// checkVectorWriter writes the vector's key and payload with Set, with a clock chosen so
// that the deadline is the vector's expiry, and compares the file with file_hex. Vectors
// a writer must never produce (flags, reserved byte, expiry 0 which Set never writes,
// entries already expired) are checked to be out of the writer's reach instead.
func checkVectorWriter(t *testing.T, v fileVector) {
	expiry := vectorUint(t, (*json.Number)(&v.ExpiryUnixSeconds), 0)
	flags := vectorUint(t, (*json.Number)(&v.Flags), 0)
	reserved := vectorUint(t, v.Reserved, 0)
	dir := t.TempDir()
	const ttl = 90 * time.Second
	// now + ttl = expiry - 0.75 s, which the writer rounds up to the vector's expiry.
	clock := testclock.New(time.Unix(int64(expiry)-int64(ttl/time.Second)-1, 250_000_000))
	b := newTestBackend(t, Options{Dir: dir, Clock: clock.Now})
	if err := b.Set(context.Background(), v.KeyUTF8, vectortest.MustHex(t, v.PayloadHex), ttl); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, v.Filename))
	if err != nil {
		t.Fatal(err)
	}
	want := vectortest.MustHex(t, v.FileHex)
	if flags != 0 || reserved != 0 || expiry == 0 {
		// Set writes zero reserved byte and flags (FILE-1, FILE-4) and always an expiry:
		// only the name, the payload and the fixed fields can match.
		if !bytes.Equal(got[:6], []byte{0x43, 0x4b, 1, 0, 0, 0}) || !bytes.Equal(got[HeaderSize:], want[HeaderSize:]) {
			t.Fatalf("Set wrote %x", got)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Set wrote %x, want %s", got, v.FileHex)
	}
}

// checkVectorReader places file_hex under the vector's file name and reads it at the
// vector's reader time, honouring reader_action.
func checkVectorReader(t *testing.T, v fileVector) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Unix(int64(vectorUint(t, v.ReaderNowUnixSeconds, 0)), 0)
	clock := testclock.New(now)
	b := newTestBackend(t, Options{Dir: dir, Clock: clock.Now})
	path := filepath.Join(dir, v.Filename)
	file := vectortest.MustHex(t, v.FileHex)
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	value, found, err := b.Get(ctx, v.KeyUTF8)
	if err != nil {
		t.Fatal(err)
	}
	switch v.ReaderAction {
	case "return_payload":
		if !found || !bytes.Equal(value, vectortest.MustHex(t, v.PayloadHex)) {
			t.Fatalf("Get = %x, %v; want payload %s", value, found, v.PayloadHex)
		}
		if ok, err := b.Exists(ctx, v.KeyUTF8); err != nil || !ok {
			t.Fatalf("Exists = %v, %v", ok, err)
		}
	case "miss_expired":
		if found {
			t.Fatalf("Get returned %x for an expired entry", value)
		}
		// One second earlier the same file is live.
		clock.Set(now.Add(-time.Second))
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, found, err := b.Get(ctx, v.KeyUTF8); err != nil || !found {
			t.Fatalf("Get one second before expiry = %v, %v; want a hit", found, err)
		}
	case "miss_preserve":
		if found {
			t.Fatalf("Get returned %x for a preserved entry", value)
		}
		// Every reader path, at any time (even long past any expiry), leaves it untouched.
		for _, at := range []time.Time{now, time.Unix(1<<40, 0)} {
			clock.Set(at)
			if _, found, err := b.Get(ctx, v.KeyUTF8); err != nil || found {
				t.Fatalf("Get at %v = %v, %v", at, found, err)
			}
			if ok, err := b.Exists(ctx, v.KeyUTF8); err != nil || ok {
				t.Fatalf("Exists = %v, %v", ok, err)
			}
			if _, found, err := b.TTL(ctx, v.KeyUTF8); err != nil || found {
				t.Fatalf("TTL found = %v, %v", found, err)
			}
			if ok, err := b.RefreshTTL(ctx, v.KeyUTF8, time.Hour); err != nil || ok {
				t.Fatalf("RefreshTTL = %v, %v", ok, err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the preserved file is gone: %v", err)
		}
		if !bytes.Equal(got, file) {
			t.Fatalf("the preserved file changed: %x", got)
		}
	default:
		t.Fatalf("unknown reader_action %q", v.ReaderAction)
	}
}
