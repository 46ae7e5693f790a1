//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// fileID identifies a file independently of its name, so that a remover can tell the
// file it inspected from a newer one renamed into place since.
type fileID struct {
	dev, ino uint64
}

// idOf returns the identity of the file fi describes.
func idOf(fi fs.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}
}

// openFlags are added to every open of an entry or lock file: never follow a symbolic
// link planted at the final component, and never block opening a FIFO planted there.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// isAbsent reports whether an open failed because there is no regular file to read:
// nothing at the path, or a symbolic link refused by O_NOFOLLOW (ELOOP on Linux and
// macOS, EMLINK on the BSDs).
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

// readAtMost reads the first n bytes of f with one positioned read (the 14-byte header
// always comes from a single read, as FILE-6 requires next to an in-place TTL refresh),
// continuing only for the rest of a large payload. It returns fewer bytes when the file
// is shorter.
func readAtMost(f *os.File, n int64) ([]byte, error) {
	buf := make([]byte, n)
	m, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return buf[:m], nil
}

// tempName names a temporary file for the entry file base. The ".tmp." marker, pid and
// nanosecond clock follow cachekit-py's "{name}.tmp.{pid}.{ns}"; the sequence number
// keeps names unique within this process.
func (b *Backend) tempName(base string, attempt int) string {
	if b.hooks.tempName != nil {
		return b.hooks.tempName(base, attempt)
	}
	return base + tempMarker + b.pid + "." + strconv.FormatInt(time.Now().UnixNano(), 10) +
		"." + strconv.FormatUint(b.tempSeq.Add(1), 10)
}

// createTemp creates a new temporary file for base in the cache directory, mode 0600,
// refusing any existing file or symbolic link at the chosen name (O_EXCL, O_NOFOLLOW) and
// trying a fresh name when one is taken.
func (b *Backend) createTemp(base string) (string, *os.File, error) {
	const attempts = 8
	for attempt := 0; ; attempt++ {
		p := filepath.Join(b.dir, b.tempName(base, attempt))
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
		if err == nil {
			return p, f, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt+1 >= attempts {
			return "", nil, err
		}
	}
}

// removeIfSame removes the file at path only if it is still the file want identifies,
// and reports whether it did. It is how expired, corrupt and evicted entries are removed
// without losing a newer entry that another writer renamed into place after the file was
// inspected.
//
// The file is first renamed to a unique temporary name (a tombstone), which takes it off
// the path atomically; the tombstone's identity is then compared with want. A match is
// unlinked. A mismatch is a newer entry: it is linked back to the path unless a still
// newer one took the path meanwhile (link fails with EEXIST, and the superseded tombstone
// is dropped). Remaining window: between the rename and the link, readers of that key
// see a miss, and a crash there leaves the newer entry as a tombstone (a temporary file,
// cleaned up later) so that entry is lost. On a file system without hard links the
// tombstone is renamed back, which could replace an entry written in that window.
func (b *Backend) removeIfSame(path string, want fileID) (bool, error) {
	if h := b.hooks.beforeRemove; h != nil {
		h(path)
	}
	tomb := filepath.Join(b.dir, b.tempName(filepath.Base(path), 0)+".rm")
	if err := os.Rename(path, tomb); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	fi, err := os.Lstat(tomb)
	if err != nil {
		return false, nil // someone cleaned the tombstone up already
	}
	if idOf(fi) == want {
		if err := os.Remove(tomb); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		return true, nil
	}
	if h := b.hooks.beforeRestore; h != nil {
		h(path)
	}
	if err := os.Link(tomb, path); err != nil && !errors.Is(err, fs.ErrExist) {
		if rerr := os.Rename(tomb, path); rerr != nil {
			_ = os.Remove(tomb)
			return false, rerr
		}
		return false, nil
	}
	_ = os.Remove(tomb)
	return false, nil
}
