//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// present returns the keys among keys whose entry file exists.
func present(t *testing.T, b *Backend, keys []string) []string {
	t.Helper()
	var out []string
	for _, k := range keys {
		if _, err := os.Lstat(b.path(k)); err == nil {
			out = append(out, k)
		}
	}
	return out
}

func setMtime(t *testing.T, b *Backend, key string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(b.path(key), at, at); err != nil {
		t.Fatal(err)
	}
}

func keysN(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	return keys
}

// TestEvictionOldestFirstByMtime writes 9 entries (at the 90% threshold of 10), gives
// them modification times in an order unlike their names and write order, and writes a
// 10th: the three oldest by mtime must go, leaving 7 (70%).
func TestEvictionOldestFirstByMtime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxEntries: 10})
	keys := keysN(10)
	for _, k := range keys[:9] {
		if err := b.Set(ctx, k, []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if got := present(t, b, keys[:9]); len(got) != 9 {
		t.Fatalf("evicted below the threshold: %v", got)
	}
	base := time.Now().Add(-time.Hour)
	order := []int{5, 2, 7, 0, 8, 1, 3, 6, 4} // oldest first
	for rank, i := range order {
		setMtime(t, b, keys[i], base.Add(time.Duration(rank)*time.Minute))
	}
	if err := b.Set(ctx, keys[9], []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	got := present(t, b, keys)
	want := []string{"k0", "k1", "k3", "k4", "k6", "k8", "k9"}
	if !slices.Equal(got, want) {
		t.Fatalf("after eviction %v, want %v (k5, k2, k7 were oldest)", got, want)
	}
}

// TestEvictionSparesJustWritten gives the entry being written the oldest mtime of all: it
// must survive the eviction its write triggers.
func TestEvictionSparesJustWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxEntries: 10})
	keys := keysN(10)
	for _, k := range keys[:9] {
		_ = b.Set(ctx, k, []byte("v"), time.Hour)
		setMtime(t, b, k, time.Now().Add(time.Hour))
	}
	b.hooks.beforeRemove = func(path string) {
		if path == b.path("k9") {
			t.Error("eviction tried to remove the entry just written")
		}
	}
	// Every other entry is dated an hour ahead, so k9, written now, is the oldest.
	if err := b.Set(ctx, "k9", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	got := present(t, b, keys)
	if len(got) != 7 || !slices.Contains(got, "k9") {
		t.Fatalf("after eviction %v; want 7 entries including k9", got)
	}
}

// TestEvictionByBytes caps the bytes: ten 100-byte files exceed 90% of 1000, and
// eviction brings them down to 700.
func TestEvictionByBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxTotalBytes: 1000, MaxValueSize: 500})
	value := make([]byte, 100-HeaderSize)
	keys := keysN(10)
	base := time.Now().Add(-time.Hour)
	for i, k := range keys[:9] {
		_ = b.Set(ctx, k, value, time.Hour)
		setMtime(t, b, k, base.Add(time.Duration(i)*time.Second))
	}
	if got := present(t, b, keys); len(got) != 9 {
		t.Fatalf("evicted at 900 bytes: %v", got)
	}
	_ = b.Set(ctx, keys[9], value, time.Hour)
	got := present(t, b, keys)
	if want := []string{"k3", "k4", "k5", "k6", "k7", "k8", "k9"}; !slices.Equal(got, want) {
		t.Fatalf("after eviction %v, want %v", got, want)
	}
	if bytes, entries := b.usage.snapshot(); bytes != 700 || entries != 7 {
		t.Fatalf("usage = %d bytes, %d entries", bytes, entries)
	}
}

// TestEvictionBigValue writes a value of half the cap into a full directory: everything
// older goes until the total is at or below 70%, and the big value stays.
func TestEvictionBigValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{MaxTotalBytes: 1000, MaxValueSize: 500})
	for i, k := range keysN(6) {
		_ = b.Set(ctx, k, make([]byte, 100-HeaderSize), time.Hour)
		setMtime(t, b, k, time.Now().Add(time.Duration(i-100)*time.Second))
	}
	if err := b.Set(ctx, "big", make([]byte, 500), time.Hour); err != nil {
		t.Fatal(err)
	}
	got := present(t, b, append(keysN(6), "big"))
	// 600 + 514 = 1114 > 900; the oldest go until <= 700: 514 + 100 = 614 remains.
	if want := []string{"k5", "big"}; !slices.Equal(got, want) {
		t.Fatalf("after eviction %v, want %v", got, want)
	}
}

// TestEvictionRemovesJustWrittenWhenAloneTooBig reaches the one case in which the entry
// just written goes: it alone exceeds MaxTotalBytes (possible only when another process
// with a larger cap wrote it, since Options keeps MaxValueSize under half of the total).
func TestEvictionRemovesJustWrittenWhenAloneTooBig(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{MaxTotalBytes: 1000})
	name := EntryName("huge")
	writeEntryFile(t, b.dir, "huge", 0, string(make([]byte, 2000)))
	if err := b.maintain(name); err != nil {
		t.Fatal(err)
	}
	if got := present(t, b, []string{"huge"}); len(got) != 0 {
		t.Fatal("an entry larger than MaxTotalBytes on its own was kept")
	}
}

// TestNewEvictsOtherWriters fills the directory behind the backend's back, as other
// processes would; New's scan and the periodic rescan both enforce the caps.
func TestNewEvictsOtherWriters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 20 {
		writeEntryFile(t, dir, fmt.Sprintf("other-%d", i), 0, "v")
	}
	b := newTestBackend(t, Options{Dir: dir, MaxEntries: 10, RescanWrites: 3})
	if n := countEntries(t, dir); n != 7 {
		t.Fatalf("New left %d entries, want 7", n)
	}
	for i := range 10 {
		writeEntryFile(t, dir, fmt.Sprintf("later-%d", i), 0, "v")
	}
	// The estimate says 7 + 1; only the rescan after RescanWrites writes sees the rest.
	for i := range 3 {
		_ = b.Set(context.Background(), fmt.Sprintf("mine-%d", i), []byte("v"), time.Hour)
	}
	if n := countEntries(t, dir); n > 7 {
		t.Fatalf("%d entries after the rescan, want at most 7", n)
	}
}

func countEntries(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, name := range listDir(t, dir) {
		if isEntryName(name) {
			n++
		}
	}
	return n
}

// TestConcurrentWritersRespectCaps hammers a small cache from goroutines on two
// backends sharing the directory; at the end a scan finds it within its cap and every
// remaining entry readable.
func TestConcurrentWritersRespectCaps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	backends := []*Backend{
		newTestBackend(t, Options{Dir: dir, MaxEntries: 20}),
		newTestBackend(t, Options{Dir: dir, MaxEntries: 20}),
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := backends[g%2]
			for i := range 60 {
				key := fmt.Sprintf("key-%d", (g*7+i)%40)
				want := []byte(key)
				if err := b.Set(ctx, key, want, time.Hour); err != nil {
					t.Error(err)
					return
				}
				if v, found, err := b.Get(ctx, key); err != nil || (found && string(v) != key) {
					t.Errorf("Get %s = %q, %v, %v", key, v, found, err)
					return
				}
				if i%5 == 0 {
					if _, err := b.Delete(ctx, key); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := backends[0].maintain(""); err != nil {
		t.Fatal(err)
	}
	if n := countEntries(t, dir); n > 20 {
		t.Fatalf("%d entries, cap 20", n)
	}
	for _, name := range listDir(t, dir) {
		if !isEntryName(name) {
			t.Errorf("left behind %s", name)
		}
	}
}
