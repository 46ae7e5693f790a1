//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// usage is this process's estimate of the directory's entry bytes and count. It starts
// from a full scan, follows this process's own writes and removals, and is corrected by
// the next scan for what other processes did. Keeping an estimate spares Set a directory
// scan per write (cachekit-py scans on every write); the price is that caps are enforced
// approximately while several processes write, and exactly at each scan.
type usage struct {
	mu      sync.Mutex
	bytes   int64
	entries int64
	// writes counts Set calls since the last scan.
	writes int
}

// afterWrite records a write of newSize bytes that replaced a file of oldSize bytes
// (when replaced) and reports whether a scan is due: a cap's eviction threshold is
// exceeded or RescanWrites writes have passed.
func (u *usage) afterWrite(replaced bool, oldSize, newSize int64, o *Options) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if replaced {
		u.bytes -= oldSize
	} else {
		u.entries++
	}
	u.bytes += newSize
	u.writes++
	return overTrigger(u.bytes, u.entries, o) || u.writes >= o.RescanWrites
}

// removed records the removal of one entry file of size bytes.
func (u *usage) removed(size int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bytes = max(u.bytes-size, 0)
	u.entries = max(u.entries-1, 0)
}

// reset replaces the estimate by a scan's exact figures.
func (u *usage) reset(bytes, entries int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bytes, u.entries, u.writes = bytes, entries, 0
}

// snapshot returns the current estimate.
func (u *usage) snapshot() (bytes, entries int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.bytes, u.entries
}

// percentOf returns floor(limit * pct / 100) without overflowing for any int64 limit.
func percentOf(limit, pct int64) int64 {
	return limit/100*pct + limit%100*pct/100
}

// overTrigger reports whether bytes or entries exceed the eviction threshold of its cap.
func overTrigger(bytes, entries int64, o *Options) bool {
	return bytes > percentOf(o.MaxTotalBytes, evictTriggerPercent) ||
		entries > percentOf(int64(o.MaxEntries), evictTriggerPercent)
}

// underTarget reports whether bytes and entries are both down to eviction's target.
func underTarget(bytes, entries int64, o *Options) bool {
	return bytes <= percentOf(o.MaxTotalBytes, evictTargetPercent) &&
		entries <= percentOf(int64(o.MaxEntries), evictTargetPercent)
}

// candidate is an entry file found by a scan.
type candidate struct {
	name  string
	size  int64
	mtime time.Time
	id    fileID
}

// maintain scans the directory: it measures the entries, removes temporary files older
// than TempFileMaxAge (crashed writers' leftovers; symbolic links are never touched), and
// when a cap's threshold is exceeded evicts entries oldest first by modification time
// until both the bytes and the count are at or below the target. The entry justWritten
// (a file name; "" for none) is never evicted unless it alone exceeds MaxTotalBytes. Only
// names of exactly 32 lowercase hex digits count as entries. One goroutine scans at a
// time; others skip, since the running scan does their work.
func (b *Backend) maintain(justWritten string) error {
	if !b.maintMu.TryLock() {
		return nil
	}
	defer b.maintMu.Unlock()
	d, err := os.Open(b.dir)
	if err != nil {
		return err
	}
	des, err := d.ReadDir(-1)
	_ = d.Close()
	if err != nil {
		return err
	}
	now := b.now()
	var (
		entries []candidate
		total   int64
	)
	for _, de := range des {
		name := de.Name()
		switch {
		case isEntryName(name):
			fi, err := de.Info() // lstat: a symbolic link is not a regular file
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			entries = append(entries, candidate{name: name, size: fi.Size(), mtime: fi.ModTime(), id: idOf(fi)})
			total += fi.Size()
		case isTempName(name):
			fi, err := de.Info()
			if err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > b.opts.TempFileMaxAge {
				_ = os.Remove(filepath.Join(b.dir, name))
			}
		}
	}
	count := int64(len(entries))
	b.usage.reset(total, count)
	if !overTrigger(total, count, &b.opts) {
		return nil
	}
	slices.SortFunc(entries, func(x, y candidate) int {
		if c := x.mtime.Compare(y.mtime); c != 0 {
			return c
		}
		return cmp.Compare(x.name, y.name)
	})
	for _, c := range entries {
		if underTarget(total, count, &b.opts) {
			break
		}
		if c.name == justWritten && c.size <= b.opts.MaxTotalBytes {
			continue
		}
		if removed, _ := b.removeIfSame(filepath.Join(b.dir, c.name), c.id); removed {
			total -= c.size
			count--
			b.usage.removed(c.size)
		}
	}
	return nil
}
