//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// wantOpError fails unless err is a *backend.Error of kind for op whose cause matches
// cause (when cause is not nil).
func wantOpError(t *testing.T, err error, op string, kind backend.ErrorKind, cause error) {
	t.Helper()
	var be *backend.Error
	if !errors.As(err, &be) {
		t.Fatalf("%s: error %v (%T), want a *backend.Error", op, err, err)
	}
	if be.Op != op || be.Kind != kind || be.Backend != "file" {
		t.Fatalf("%s: error %v is %s/%s/%v, want file/%s/%v", op, err, be.Backend, be.Op, be.Kind, op, kind)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("%s: error %v does not wrap %v", op, err, cause)
	}
}

// TestRefreshTTLOnDirectoryIsAMiss: a directory planted at an entry's path is a miss
// for every read (Get, Exists, TTL, Delete leave it alone); RefreshTTL must report the
// same miss (false, nil, as backend.TTLInspector requires for an absent key) instead of
// failing with the EISDIR its read-write open meets.
func TestRefreshTTLOnDirectoryIsAMiss(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	path := filepath.Join(b.dir, EntryName("k"))
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.RefreshTTL(ctx, "k", time.Minute); err != nil || ok {
		t.Fatalf("RefreshTTL = %v, %v; want false, nil", ok, err)
	}
	if v, found, err := b.Get(ctx, "k"); err != nil || found {
		t.Fatalf("Get = %q, %v, %v", v, found, err)
	}
	if ok, err := b.Exists(ctx, "k"); err != nil || ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if _, found, err := b.TTL(ctx, "k"); err != nil || found {
		t.Fatalf("TTL found = %v, %v", found, err)
	}
	if deleted, err := b.Delete(ctx, "k"); err != nil || deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.IsDir() {
		t.Fatalf("the directory was touched: %v, %v", fi, err)
	}
}

// TestSetOntoDirectoryIsPermanent: when the rename onto the entry's path fails
// because a directory sits there, Set reports a permanent error (retrying cannot help,
// and a transient one would be retried and counted by a circuit breaker) and leaves no
// temporary file. os.Rename reports the case as EEXIST.
func TestSetOntoDirectoryIsPermanent(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	path := filepath.Join(b.dir, EntryName("k"))
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	err := b.Set(context.Background(), "k", []byte("v"), time.Minute)
	wantOpError(t, err, "set", backend.KindPermanent, syscall.EEXIST)
	if names := listDir(t, b.dir); len(names) != 1 || names[0] != EntryName("k") {
		t.Fatalf("directory holds %v after the failed Set, want only the planted directory", names)
	}
}

// TestLockOntoDirectoryIsPermanent: a directory at a lock file's path is not a lock
// (readLock ignores it), but the lock file cannot replace it either: AcquireLock fails
// with a permanent error and leaves no temporary file.
func TestLockOntoDirectoryIsPermanent(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	if err := os.Mkdir(b.lockPath("k"), 0o700); err != nil {
		t.Fatal(err)
	}
	id, ok, err := b.AcquireLock(context.Background(), "k", time.Minute)
	if id != "" || ok {
		t.Fatalf("AcquireLock = %q, %v with a directory at the lock path", id, ok)
	}
	wantOpError(t, err, "acquire_lock", backend.KindPermanent, syscall.EEXIST)
	if names := listDir(t, b.dir); len(names) != 1 {
		t.Fatalf("directory holds %v after the failed AcquireLock", names)
	}
}

// TestCacheDirectoryReplacedByFile: when the cache directory is swapped for a regular
// file after New, every operation fails with a permanent error wrapping ENOTDIR; none
// reports a miss or a success.
func TestCacheDirectoryReplacedByFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	if err := os.Remove(b.dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"get":          func() error { _, _, err := b.Get(ctx, "k"); return err },
		"exists":       func() error { _, err := b.Exists(ctx, "k"); return err },
		"delete":       func() error { _, err := b.Delete(ctx, "k"); return err },
		"ttl":          func() error { _, _, err := b.TTL(ctx, "k"); return err },
		"refresh_ttl":  func() error { _, err := b.RefreshTTL(ctx, "k", time.Minute); return err },
		"set":          func() error { return b.Set(ctx, "k", []byte("v"), time.Minute) },
		"acquire_lock": func() error { _, _, err := b.AcquireLock(ctx, "k", time.Minute); return err },
		"health":       func() error { _, err := b.Health(ctx); return err },
	}
	for op, call := range calls {
		wantOpError(t, call(), op, backend.KindPermanent, syscall.ENOTDIR)
	}
	st, err := b.Health(ctx)
	if err == nil || st.Healthy {
		t.Fatalf("Health = %+v, %v; want unhealthy", st, err)
	}
}

// TestCacheDirectoryRemoved: with the directory gone, reads are misses (ENOENT is no
// file) but writes and the health check fail with a permanent error.
func TestCacheDirectoryRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	if err := os.Remove(b.dir); err != nil {
		t.Fatal(err)
	}
	if _, found, err := b.Get(ctx, "k"); err != nil || found {
		t.Fatalf("Get = %v, %v; want a miss", found, err)
	}
	wantOpError(t, b.Set(ctx, "k", []byte("v"), time.Minute), "set", backend.KindPermanent, os.ErrNotExist)
	_, err := b.Health(ctx)
	wantOpError(t, err, "health", backend.KindPermanent, os.ErrNotExist)
}

// TestSetCancelledDuringWrite: a context cancelled while the entry file is being
// written stops Set before the rename: the error is the context's, and neither the
// entry nor the temporary file remains.
func TestSetCancelledDuringWrite(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.hooks.tempName = func(base string, attempt int) string {
		cancel() // the caller gives up once the temporary file is named
		return base + tempMarker + "cancelled"
	}
	err := b.Set(ctx, "k", []byte("v"), time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Set = %v, want context.Canceled", err)
	}
	var be *backend.Error
	if !errors.As(err, &be) || be.Op != "set" || be.Key != "k" {
		t.Fatalf("Set error %v is not a *backend.Error for set of k", err)
	}
	if names := listDir(t, b.dir); len(names) != 0 {
		t.Fatalf("cancelled Set left %v", names)
	}
}

// TestLockSemaphoreWaitHonoursContext: a caller queued behind another goroutine of the
// same process for the lock files gives up when its context ends.
func TestLockSemaphoreWaitHonoursContext(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	b.lockSem <- struct{}{} // another goroutine is inside a lock transition
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := b.AcquireLock(ctx, "k", time.Minute)
		done <- err
	}()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("AcquireLock = %v, want context.Canceled", err)
	}
	<-b.lockSem
	if _, ok, err := b.AcquireLock(context.Background(), "k", time.Minute); err != nil || !ok {
		t.Fatalf("AcquireLock after the wait = %v, %v", ok, err)
	}
}

// TestRefreshTTLLeavesOversizeFile: a file whose payload exceeds MaxValueSize (written
// by a process with a larger cap) is a miss for RefreshTTL too, and is not rewritten.
func TestRefreshTTLLeavesOversizeFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxTotalBytes: 1 << 10, MaxValueSize: 16})
	writeEntryFile(t, b.dir, "k", expiryAt(b.now(), time.Minute), strings.Repeat("x", 17))
	path := filepath.Join(b.dir, EntryName("k"))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.RefreshTTL(ctx, "k", time.Hour); err != nil || ok {
		t.Fatalf("RefreshTTL = %v, %v; want false, nil", ok, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("RefreshTTL rewrote an oversize entry")
	}
}

// TestSetWithSyncDir: SyncDir adds a directory fsync after the rename; the entry is
// stored as without it.
func TestSetWithSyncDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{SyncDir: true})
	if err := b.Set(ctx, "k", []byte("durable"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, "k"); err != nil || !found || string(v) != "durable" {
		t.Fatalf("Get = %q, %v, %v", v, found, err)
	}
}

// TestConfigErrorMessage: a ConfigError names the option and, when there is one, its
// cause.
func TestConfigErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := New(Options{Dir: t.TempDir(), MaxEntries: -1})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "MaxEntries" || !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("New = %v, want a *ConfigError for MaxEntries", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "file: invalid Options.MaxEntries: ") {
		t.Errorf("message %q does not name the option", msg)
	}
	_, err = New(Options{Dir: dirWithMode(t, 0o777)})
	if !errors.Is(err, ErrInsecureDir) {
		t.Fatalf("New on a world-writable directory = %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "file: invalid Options.Dir: ") || !strings.HasSuffix(msg, ": "+ErrInsecureDir.Error()) {
		t.Errorf("message %q does not name the option and its cause", msg)
	}
}

// TestRenameOntoDirectoryErrnosArePermanent: os.Rename reports a directory at the
// destination as EEXIST (and the system call as ENOTEMPTY or EEXIST); neither passes
// with a retry.
func TestRenameOntoDirectoryErrnosArePermanent(t *testing.T) {
	t.Parallel()
	for _, errno := range []syscall.Errno{syscall.EEXIST, syscall.ENOTEMPTY} {
		err := &os.LinkError{Op: "rename", Old: "a", New: "b", Err: errno}
		if got := classify(err); got != backend.KindPermanent {
			t.Errorf("classify(%v) = %v, want permanent", errno, got)
		}
	}
}
