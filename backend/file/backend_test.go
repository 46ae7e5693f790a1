//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

var t0 = time.Unix(1_700_000_000, 0)

func TestSetGetRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{"ascii", "user:42", []byte("hello")},
		{"empty value", "empty", []byte{}},
		{"binary", "bin", []byte{0, 1, 0xff, 0x43, 0x4b}},
		{"unicode key", "ключ-🔑", []byte("v")},
		{"large value, two writes", "large", bytes.Repeat([]byte("x"), smallValue+1)},
		{"empty key", "", []byte("e")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := b.Set(ctx, tt.key, tt.value, time.Minute); err != nil {
				t.Fatal(err)
			}
			got, found, err := b.Get(ctx, tt.key)
			if err != nil || !found || !bytes.Equal(got, tt.value) || got == nil {
				t.Fatalf("Get = %d bytes, %v, %v", len(got), found, err)
			}
			// The file on disk is header + value, under the BLAKE2b name.
			raw, err := os.ReadFile(filepath.Join(b.dir, EntryName(tt.key)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw[HeaderSize:], tt.value) || !bytes.Equal(raw[:6], []byte("CK\x01\x00\x00\x00")) {
				t.Fatalf("file = %x...", raw[:min(len(raw), 20)])
			}
		})
	}
}

func TestGetReturnsCallerOwnedSlice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	value := []byte("abc")
	if err := b.Set(ctx, "k", value, time.Minute); err != nil {
		t.Fatal(err)
	}
	value[0] = 'X' // Set must not have kept the slice
	got, _, _ := b.Get(ctx, "k")
	if string(got) != "abc" {
		t.Fatalf("Get = %q after the caller changed its slice", got)
	}
	got[0] = 'Y'
	again, _, _ := b.Get(ctx, "k")
	if string(again) != "abc" {
		t.Fatalf("Get = %q after the caller changed a returned slice", again)
	}
}

func TestExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(t0.Add(300 * time.Millisecond))
	b := newTestBackend(t, Options{Clock: clock.Now})
	if err := b.Set(ctx, "k", []byte("v"), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(b.dir, EntryName("k")))
	// Deadline = now + ttl rounded up to a whole second, big-endian at offset 6.
	if got := binary.BigEndian.Uint64(raw[6:14]); got != uint64(t0.Unix()+11) {
		t.Fatalf("stored expiry %d, want %d", got, t0.Unix()+11)
	}
	if ttl, found, err := b.TTL(ctx, "k"); err != nil || !found || ttl != 10*time.Second {
		t.Fatalf("TTL = %v, %v, %v; want 10s", ttl, found, err)
	}
	clock.Set(t0.Add(10*time.Second + 999*time.Millisecond))
	if _, found, _ := b.Get(ctx, "k"); !found {
		t.Fatal("entry expired early")
	}
	clock.Set(t0.Add(11 * time.Second))
	if _, found, err := b.Get(ctx, "k"); err != nil || found {
		t.Fatalf("Get at the deadline = %v, %v; want a miss", found, err)
	}
	if _, err := os.Lstat(filepath.Join(b.dir, EntryName("k"))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("expired file not removed: %v", err)
	}
}

func TestSubSecondTTLRoundsUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(t0)
	b := newTestBackend(t, Options{Clock: clock.Now})
	if err := b.Set(ctx, "k", []byte("v"), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ttl, found, _ := b.TTL(ctx, "k"); !found || ttl != time.Second {
		t.Fatalf("TTL = %v, %v; want 1s", ttl, found)
	}
}

func TestInvalidTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	for _, ttl := range []time.Duration{0, -time.Second} {
		err := b.Set(ctx, "k", []byte("v"), ttl)
		if !errors.Is(err, backend.ErrInvalidTTL) || !errors.Is(err, backend.ErrPermanent) {
			t.Fatalf("Set ttl %v: %v", ttl, err)
		}
		if _, err := b.RefreshTTL(ctx, "k", ttl); !errors.Is(err, backend.ErrInvalidTTL) {
			t.Fatalf("RefreshTTL ttl %v: %v", ttl, err)
		}
	}
	if names := listDir(t, b.dir); len(names) != 0 {
		t.Fatalf("refused Set left files: %v", names)
	}
}

func TestValueTooLargeWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxValueSize: 100, MaxTotalBytes: 1000})
	if err := b.Set(ctx, "k", make([]byte, 100), time.Minute); err != nil {
		t.Fatalf("a value of exactly MaxValueSize: %v", err)
	}
	before := listDir(t, b.dir)
	err := b.Set(ctx, "k", make([]byte, 101), time.Minute)
	if !errors.Is(err, backend.ErrValueTooLarge) || !errors.Is(err, backend.ErrPermanent) {
		t.Fatalf("Set of 101 bytes: %v", err)
	}
	if after := listDir(t, b.dir); len(after) != len(before) {
		t.Fatalf("refused Set changed the directory: %v -> %v", before, after)
	}
	if got, _, _ := b.Get(ctx, "k"); len(got) != 100 {
		t.Fatalf("the previous value was lost: %d bytes", len(got))
	}
}

func TestOversizeFileIsMissAndKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxValueSize: 10, MaxTotalBytes: 1000})
	path := filepath.Join(b.dir, EntryName("big"))
	file := append(appendHeader(nil, 0), make([]byte, 11)...)
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, found, err := b.Get(ctx, "big"); err != nil || found {
		t.Fatalf("Get = %v, %v", found, err)
	}
	if ok, err := b.Exists(ctx, "big"); err != nil || ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("oversize file removed: %v", err)
	}
}

func TestRefreshTTLRewritesOnlyExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(t0)
	b := newTestBackend(t, Options{Clock: clock.Now})
	if err := b.Set(ctx, "k", []byte("payload"), time.Minute); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(b.dir, EntryName("k"))
	before, _ := os.ReadFile(path)
	fiBefore, _ := os.Stat(path)
	clock.Advance(30 * time.Second)
	ok, err := b.RefreshTTL(ctx, "k", time.Hour)
	if err != nil || !ok {
		t.Fatalf("RefreshTTL = %v, %v", ok, err)
	}
	after, _ := os.ReadFile(path)
	fiAfter, _ := os.Stat(path)
	if !os.SameFile(fiBefore, fiAfter) {
		t.Fatal("RefreshTTL replaced the file instead of rewriting it in place")
	}
	if len(after) != len(before) || !bytes.Equal(after[:6], before[:6]) || !bytes.Equal(after[14:], before[14:]) {
		t.Fatalf("RefreshTTL changed bytes outside 6-13: %x -> %x", before, after)
	}
	if got := binary.BigEndian.Uint64(after[6:14]); got != uint64(t0.Unix()+30+3600) {
		t.Fatalf("expiry = %d, want %d", got, t0.Unix()+3630)
	}
	if ttl, _, _ := b.TTL(ctx, "k"); ttl != time.Hour {
		t.Fatalf("TTL = %v, want 1h", ttl)
	}
	clock.Advance(2 * time.Hour)
	if ok, err := b.RefreshTTL(ctx, "k", time.Hour); err != nil || ok {
		t.Fatalf("RefreshTTL of an expired entry = %v, %v", ok, err)
	}
	if ok, err := b.RefreshTTL(ctx, "absent", time.Hour); err != nil || ok {
		t.Fatalf("RefreshTTL of an absent key = %v, %v", ok, err)
	}
}

func TestTTLNoExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	// Only another SDK writes expiry 0; place such a file by hand.
	path := filepath.Join(b.dir, EntryName("forever"))
	if err := os.WriteFile(path, append(appendHeader(nil, 0), 'v'), 0o600); err != nil {
		t.Fatal(err)
	}
	if ttl, found, err := b.TTL(ctx, "forever"); err != nil || !found || ttl != backend.NoExpiry {
		t.Fatalf("TTL = %v, %v, %v", ttl, found, err)
	}
	if _, found, err := b.TTL(ctx, "absent"); err != nil || found {
		t.Fatalf("TTL of absent = %v, %v", found, err)
	}
}

func TestDeleteAndExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(t0)
	b := newTestBackend(t, Options{Clock: clock.Now})
	if deleted, err := b.Delete(ctx, "absent"); err != nil || deleted {
		t.Fatalf("Delete absent = %v, %v", deleted, err)
	}
	_ = b.Set(ctx, "k", []byte("v"), time.Minute)
	if ok, err := b.Exists(ctx, "k"); err != nil || !ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if deleted, err := b.Delete(ctx, "k"); err != nil || !deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if ok, _ := b.Exists(ctx, "k"); ok {
		t.Fatal("Exists after Delete")
	}
	// Deleting an expired entry removes the file but reports no live entry.
	_ = b.Set(ctx, "old", []byte("v"), time.Second)
	clock.Advance(time.Minute)
	if deleted, err := b.Delete(ctx, "old"); err != nil || deleted {
		t.Fatalf("Delete expired = %v, %v", deleted, err)
	}
	if names := listDir(t, b.dir); len(names) != 0 {
		t.Fatalf("files left: %v", names)
	}
}

func TestDeleteRemovesUnsupportedEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	path := filepath.Join(b.dir, EntryName("k"))
	flagged := []byte("CK\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00future")
	if err := os.WriteFile(path, flagged, 0o600); err != nil {
		t.Fatal(err)
	}
	if deleted, err := b.Delete(ctx, "k"); err != nil || deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an explicit Delete left the flagged entry")
	}
}

func TestGetMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	_ = b.Set(ctx, "a", []byte("1"), time.Minute)
	_ = b.Set(ctx, "b", []byte("2"), time.Minute)
	got, err := b.GetMany(ctx, []string{"a", "b", "c"})
	if err != nil || len(got) != 2 || string(got["a"]) != "1" || string(got["b"]) != "2" {
		t.Fatalf("GetMany = %q, %v", got, err)
	}
}

// TestCorruptFilesAreMissesAndRemoved places broken files under a key's name.
func TestCorruptFilesAreMissesAndRemoved(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"short header", []byte("CK\x01\x00\x00\x00\x00")},
		{"13 bytes", []byte("CK\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")},
		{"wrong magic", []byte("XX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00v")},
		{"version 2", []byte("CK\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00v")},
		{"python CK v3 frame", []byte("CK\x03\x00\x00\x00\x10{\"s\":\"std\"}")},
	}
	ops := []struct {
		name string
		miss func(b *Backend) (bool, error)
	}{
		{"Get", func(b *Backend) (bool, error) { _, f, err := b.Get(context.Background(), "k"); return f, err }},
		{"Exists", func(b *Backend) (bool, error) { return b.Exists(context.Background(), "k") }},
		{"TTL", func(b *Backend) (bool, error) { _, f, err := b.TTL(context.Background(), "k"); return f, err }},
		{"RefreshTTL", func(b *Backend) (bool, error) { return b.RefreshTTL(context.Background(), "k", time.Hour) }},
	}
	for _, tt := range tests {
		for _, op := range ops {
			t.Run(tt.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				b := newTestBackend(t, Options{})
				path := filepath.Join(b.dir, EntryName("k"))
				if err := os.WriteFile(path, tt.file, 0o600); err != nil {
					t.Fatal(err)
				}
				if found, err := op.miss(b); err != nil || found {
					t.Fatalf("%s = %v, %v; want a miss", op.name, found, err)
				}
				if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("corrupt file not removed: %v", err)
				}
			})
		}
	}
}

// TestUnsupportedHeaderPreserved checks FILE-2/FILE-3 for every reader operation, with
// the entry expired or not.
func TestUnsupportedHeaderPreserved(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		reserved byte
		flags    uint16
		expiry   uint64
	}{
		{"flag 1", 0, 1, 0},
		{"flag 0x8000", 0, 0x8000, 0},
		{"reserved 2", 2, 0, 0},
		{"flag and expired", 0, 4, uint64(t0.Unix() - 10)},
		{"reserved and expired", 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := newTestBackend(t, Options{Clock: testclock.New(t0).Now})
			file := appendHeader(nil, tt.expiry)
			file[offReserved] = tt.reserved
			binary.BigEndian.PutUint16(file[offFlags:], tt.flags)
			file = append(file, "transformed"...)
			path := filepath.Join(b.dir, EntryName("k"))
			if err := os.WriteFile(path, file, 0o600); err != nil {
				t.Fatal(err)
			}
			old := t0.Add(-time.Hour)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			if _, found, err := b.Get(ctx, "k"); err != nil || found {
				t.Fatalf("Get = %v, %v", found, err)
			}
			if ok, err := b.Exists(ctx, "k"); err != nil || ok {
				t.Fatalf("Exists = %v, %v", ok, err)
			}
			if _, found, err := b.TTL(ctx, "k"); err != nil || found {
				t.Fatalf("TTL = %v, %v", found, err)
			}
			if ok, err := b.RefreshTTL(ctx, "k", time.Hour); err != nil || ok {
				t.Fatalf("RefreshTTL = %v, %v", ok, err)
			}
			if m, err := b.GetMany(ctx, []string{"k"}); err != nil || len(m) != 0 {
				t.Fatalf("GetMany = %v, %v", m, err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, file) {
				t.Fatalf("file changed or removed: %x, %v", got, err)
			}
			fi, _ := os.Stat(path)
			if !fi.ModTime().Equal(old) {
				t.Fatalf("file was written to: mtime %v", fi.ModTime())
			}
		})
	}
}

func TestIgnoredNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(time.Now())
	b := newTestBackend(t, Options{Clock: clock.Now})
	valid := append(appendHeader(nil, 0), "v"...)
	name := EntryName("k")
	// A complete entry under a temporary name, an upper-case name or a longer name is
	// never read as the entry of k.
	for _, n := range []string{name + ".tmp.1.2", name + ".tmp.1.2.rm",
		"0E2A03B49262C15A063C04D5A29C0158", name + "x"} {
		if err := os.WriteFile(filepath.Join(b.dir, n), valid, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, found, err := b.Get(ctx, "k"); err != nil || found {
		t.Fatalf("Get = %v, %v", found, err)
	}
	// Only real entries are counted.
	if err := b.maintain(""); err != nil {
		t.Fatal(err)
	}
	if _, entries := b.usage.snapshot(); entries != 0 {
		t.Fatalf("counted %d entries", entries)
	}
}

func TestStaleTempFilesRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	files := []struct {
		name  string
		age   time.Duration
		stays bool
	}{
		{"0e2a03b49262c15a063c04d5a29c0158.tmp.7.1", 2 * time.Minute, false},
		{"0e2a03b49262c15a063c04d5a29c0158.tmp.7.2", 10 * time.Second, true},
		{"health.tmp.7.3", time.Hour, false},
		{"notes.txt", time.Hour, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	// A symbolic link with a temporary name is never touched, however old.
	link := filepath.Join(dir, "x.tmp.1.1")
	if err := os.Symlink(filepath.Join(dir, "notes.txt"), link); err != nil {
		t.Fatal(err)
	}
	_ = newTestBackend(t, Options{Dir: dir, Clock: func() time.Time { return now }})
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, f.name))
		if stays := err == nil; stays != f.stays {
			t.Errorf("%s: present = %v, want %v", f.name, stays, f.stays)
		}
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("symlink removed: %v", err)
	}
}

func TestSymlinkAtEntryNotFollowed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, append(appendHeader(nil, 0), "secret"...), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(b.dir, EntryName("k"))
	if err := os.Symlink(outside, path); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, "k"); err != nil || found {
		t.Fatalf("Get through a symlink = %q, %v, %v", v, found, err)
	}
	if ok, err := b.RefreshTTL(ctx, "k", time.Hour); err != nil || ok {
		t.Fatalf("RefreshTTL through a symlink = %v, %v", ok, err)
	}
	if deleted, err := b.Delete(ctx, "k"); err != nil || deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if got, _ := os.ReadFile(outside); !bytes.HasSuffix(got, []byte("secret")) || len(got) != HeaderSize+6 {
		t.Fatalf("the link target changed: %x", got)
	}
	// Set replaces the link itself, never writing through it.
	if err := b.Set(ctx, "k", []byte("mine"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(path); !fi.Mode().IsRegular() {
		t.Fatalf("entry is %v after Set", fi.Mode())
	}
	if got, _ := os.ReadFile(outside); !bytes.HasSuffix(got, []byte("secret")) {
		t.Fatal("Set wrote through the symlink")
	}
}

func TestFIFOAtEntryDoesNotBlock(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	path := filepath.Join(b.dir, EntryName("k"))
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, found, err := b.Get(context.Background(), "k"); err != nil || found {
		t.Fatalf("Get = %v, %v", found, err)
	}
	if deleted, err := b.Delete(context.Background(), "k"); err != nil || deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatal("the FIFO was removed")
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Get":         func() error { _, _, err := b.Get(ctx, "k"); return err },
		"Set":         func() error { return b.Set(ctx, "k", []byte("v"), time.Minute) },
		"Delete":      func() error { _, err := b.Delete(ctx, "k"); return err },
		"Exists":      func() error { _, err := b.Exists(ctx, "k"); return err },
		"TTL":         func() error { _, _, err := b.TTL(ctx, "k"); return err },
		"RefreshTTL":  func() error { _, err := b.RefreshTTL(ctx, "k", time.Minute); return err },
		"GetMany":     func() error { _, err := b.GetMany(ctx, []string{"k"}); return err },
		"AcquireLock": func() error { _, _, err := b.AcquireLock(ctx, "k", time.Second); return err },
		"ReleaseLock": func() error { _, err := b.ReleaseLock(ctx, "k", "id"); return err },
		"Health":      func() error { _, err := b.Health(ctx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", name, err)
		}
	}
	if names := listDir(t, b.dir); len(names) != 0 {
		t.Fatalf("cancelled calls left files: %v", names)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	_ = b.Set(ctx, "k", []byte("12345"), time.Minute)
	st, err := b.Health(ctx)
	if err != nil || !st.Healthy || st.Backend != "file" {
		t.Fatalf("Health = %+v, %v", st, err)
	}
	if st.Details["entries"] != "1" || st.Details["bytes"] != "19" {
		t.Fatalf("Details = %v", st.Details)
	}
	if names := listDir(t, b.dir); len(names) != 1 {
		t.Fatalf("Health left files: %v", names)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want backend.ErrorKind
	}{
		{&os.PathError{Op: "open", Path: "x", Err: syscall.ENOSPC}, backend.KindTransient},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EIO}, backend.KindTransient},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EMFILE}, backend.KindTransient},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, backend.KindPermanent},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, backend.KindPermanent},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EXDEV}, backend.KindPermanent},
		{&os.PathError{Op: "read", Path: "x", Err: syscall.ETIMEDOUT}, backend.KindTimeout},
		{errors.New("something else"), backend.KindTransient},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
		err := osError("get", "k", tt.err)
		if k, ok := backend.KindOf(err); !ok || k != tt.want {
			t.Errorf("osError kind = %v, %v", k, ok)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("osError does not wrap %v", tt.err)
		}
	}
}

func TestPermissionErrorIsPermanent(t *testing.T) {
	if os.Geteuid() == 0 {
		// Root reads any file, so the check runs in a child process without privileges.
		permissionErrorAsNobody(t)
		return
	}
	t.Parallel()
	b := newTestBackend(t, Options{})
	_ = b.Set(context.Background(), "k", []byte("v"), time.Minute)
	if err := os.Chmod(filepath.Join(b.dir, EntryName("k")), 0); err != nil {
		t.Fatal(err)
	}
	_, _, err := b.Get(context.Background(), "k")
	if !errors.Is(err, backend.ErrPermanent) || !errors.Is(err, os.ErrPermission) {
		t.Fatalf("Get = %v", err)
	}
}

// nobodyUID is the unprivileged user the permission check runs as when the tests run
// as root.
const nobodyUID = 65534

// permissionErrorAsNobody writes an entry as root, makes it unreadable, hands the
// directory to nobody and runs the test binary as nobody to read it: the read must fail
// with a permanent error wrapping os.ErrPermission (checked by runUnreadable).
func permissionErrorAsNobody(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "cachekit-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	b, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set(context.Background(), "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, EntryName("k")), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, nobodyUID, nobodyUID); err != nil {
		t.Fatal(err)
	}
	// The test binary may sit in a directory only root can enter: copy it out.
	binDir, err := os.MkdirTemp("", "cachekit-perm-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(binDir) })
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "file.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+helperUnreadable, helperDirEnv+"="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the unprivileged reader failed: %v\n%s", err, out)
	}
}

// runUnreadable is the child of permissionErrorAsNobody.
func runUnreadable(dir string) int {
	b, err := New(Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "New:", err)
		return 1
	}
	_, _, err = b.Get(context.Background(), "k")
	if !errors.Is(err, backend.ErrPermanent) || !errors.Is(err, os.ErrPermission) {
		fmt.Fprintf(os.Stderr, "Get of an unreadable entry = %v, want a permanent error wrapping os.ErrPermission\n", err)
		return 1
	}
	return 0
}
