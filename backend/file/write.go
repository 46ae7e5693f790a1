//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// smallValue is the largest value Set copies behind the header to write both in one
// system call; longer values are written with a second call instead of a second copy.
const smallValue = 64 << 10

// Set stores value under key for ttl, replacing any previous entry, including one this
// reader cannot interpret. The entry is written to a temporary file in the same directory
// (mode 0600, created exclusively without following links), fsynced, and renamed over
// the entry's name, so a concurrent reader in any process sees either the old or the new
// whole file, and a crash leaves at most a temporary file, never a torn entry.
//
// A ttl <= 0 is refused with an error wrapping backend.ErrInvalidTTL; a value longer than
// MaxValueSize with one wrapping backend.ErrValueTooLarge; both before anything is
// written. After the write, the oldest entries may be evicted (see Options).
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	const op = "set"
	if err := checkCtx(ctx, op, key); err != nil {
		return err
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return backend.NewError(backend.KindPermanent, backendName, op, key, err)
	}
	if int64(len(value)) > b.opts.MaxValueSize {
		return backend.NewError(backend.KindPermanent, backendName, op, key,
			fmt.Errorf("%w: %d bytes, MaxValueSize is %d", backend.ErrValueTooLarge, len(value), b.opts.MaxValueSize))
	}
	name := EntryName(key)
	tmp, f, err := b.createTemp(name)
	if err != nil {
		return osError(op, key, err)
	}
	werr := writeEntry(f, expiryAt(b.now(), ttl), value)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return osError(op, key, werr)
	}
	if err := ctx.Err(); err != nil {
		_ = os.Remove(tmp)
		return ctxError(op, key, err)
	}
	path := filepath.Join(b.dir, name)
	oldSize, replaced := regularSize(path)
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return osError(op, key, err)
	}
	if b.opts.SyncDir {
		if err := syncDir(b.dir); err != nil {
			return osError(op, key, err)
		}
	}
	if b.usage.afterWrite(replaced, oldSize, HeaderSize+int64(len(value)), &b.opts) {
		_ = b.maintain(name) // best effort: the entry is stored whatever eviction meets
	}
	return nil
}

// writeEntry writes a version-1 header with the given expiry and the payload to f, then
// fsyncs it.
func writeEntry(f *os.File, expiry uint64, value []byte) error {
	if len(value) <= smallValue {
		buf := make([]byte, 0, HeaderSize+len(value))
		buf = appendHeader(buf, expiry)
		if _, err := f.Write(append(buf, value...)); err != nil {
			return err
		}
	} else {
		var hdr [HeaderSize]byte
		if _, err := f.Write(appendHeader(hdr[:0], expiry)); err != nil {
			return err
		}
		if _, err := f.Write(value); err != nil {
			return err
		}
	}
	return f.Sync()
}

// regularSize returns the size of the regular file at path, for the size estimate.
func regularSize(path string) (int64, bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}
