//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

// writeEntryFile places a complete entry for key, as another process's Set would: through
// a temporary file renamed into place.
func writeEntryFile(t *testing.T, dir, key string, expiry uint64, payload string) {
	t.Helper()
	tmp := filepath.Join(dir, EntryName(key)+tempMarker+"other")
	if err := os.WriteFile(tmp, append(appendHeader(nil, expiry), payload...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, EntryName(key))); err != nil {
		t.Fatal(err)
	}
}

// TestRemovalSparesNewerEntry interleaves another writer between a reader's decision to
// remove an expired or corrupt file and the removal: the newer entry must survive.
func TestRemovalSparesNewerEntry(t *testing.T) {
	t.Parallel()
	stale := map[string][]byte{
		"expired": appendHeader(nil, 5),
		"corrupt": []byte("garbage"),
	}
	readers := map[string]func(b *Backend) (bool, error){
		"Get":        func(b *Backend) (bool, error) { _, f, err := b.Get(context.Background(), "k"); return f, err },
		"Exists":     func(b *Backend) (bool, error) { return b.Exists(context.Background(), "k") },
		"TTL":        func(b *Backend) (bool, error) { _, f, err := b.TTL(context.Background(), "k"); return f, err },
		"RefreshTTL": func(b *Backend) (bool, error) { return b.RefreshTTL(context.Background(), "k", time.Hour) },
		"Delete":     func(b *Backend) (bool, error) { return b.Delete(context.Background(), "k") },
	}
	for staleName, staleFile := range stale {
		for readerName, read := range readers {
			t.Run(staleName+"/"+readerName, func(t *testing.T) {
				t.Parallel()
				b := newTestBackend(t, Options{Clock: testclock.New(t0).Now})
				path := filepath.Join(b.dir, EntryName("k"))
				if err := os.WriteFile(path, staleFile, 0o600); err != nil {
					t.Fatal(err)
				}
				hooked := 0
				b.hooks.beforeRemove = func(p string) {
					if p == path {
						hooked++
						writeEntryFile(t, b.dir, "k", 0, "newer")
					}
				}
				if found, err := read(b); err != nil || found {
					t.Fatalf("%s = %v, %v", readerName, found, err)
				}
				if hooked != 1 {
					t.Fatalf("the removal hook ran %d times", hooked)
				}
				b.hooks.beforeRemove = nil
				if v, found, err := b.Get(context.Background(), "k"); err != nil || !found || string(v) != "newer" {
					t.Fatalf("newer entry lost: %q, %v, %v", v, found, err)
				}
				for _, n := range listDir(t, b.dir) {
					if n != EntryName("k") {
						t.Fatalf("left behind %s", n)
					}
				}
			})
		}
	}
}

// TestRemovalYieldsToNewestEntry covers the last case of removeIfSame: while the remover
// holds a newer entry aside, a third writer places the newest one, which must win, and
// the entry held aside must not come back over it.
func TestRemovalYieldsToNewestEntry(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{Clock: testclock.New(t0).Now})
	path := filepath.Join(b.dir, EntryName("k"))
	if err := os.WriteFile(path, appendHeader(nil, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	b.hooks.beforeRemove = func(string) { writeEntryFile(t, b.dir, "k", 0, "newer") }
	restores := 0
	b.hooks.beforeRestore = func(string) {
		restores++
		writeEntryFile(t, b.dir, "k", 0, "newest")
	}
	if _, found, err := b.Get(context.Background(), "k"); err != nil || found {
		t.Fatalf("Get = %v, %v", found, err)
	}
	if restores != 1 {
		t.Fatalf("beforeRestore ran %d times", restores)
	}
	b.hooks = testHooks{}
	if v, found, _ := b.Get(context.Background(), "k"); !found || string(v) != "newest" {
		t.Fatalf("Get = %q, %v; want the newest entry", v, found)
	}
	if names := listDir(t, b.dir); len(names) != 1 {
		t.Fatalf("left behind %v", names)
	}
}
