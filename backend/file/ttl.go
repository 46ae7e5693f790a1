//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TTL returns the remaining lifetime of the entry under key, rounded down to whole
// seconds, or backend.NoExpiry for an entry stored with expiry 0 (by another SDK: Set
// always stores one). found is false when Get would miss.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	const op = "ttl"
	if err := checkCtx(ctx, op, key); err != nil {
		return 0, false, err
	}
	path := b.path(key)
	now := b.now()
	e, err := b.readEntry(path, false, now)
	if err != nil {
		return 0, false, osError(op, key, err)
	}
	if e.state != stateLive {
		b.discard(path, e)
		return 0, false, nil
	}
	if e.header.Expiry == 0 {
		return backend.NoExpiry, true, nil
	}
	return remaining(e.header.Expiry, now), true, nil
}

// RefreshTTL gives the live entry under key a new lifetime of ttl from now by rewriting
// the 8 expiry bytes (offsets 6 to 13) in place with one positioned write: the payload
// is not rewritten and the file is not truncated. POSIX makes that write atomic with
// respect to readers, which load the header in one read, so no reader sees a torn expiry
// (FILE-5, FILE-6). It reports false for an absent, expired or corrupt entry, and for one
// with a non-zero reserved byte or flags, which it leaves untouched.
func (b *Backend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	const op = "refresh_ttl"
	if err := checkCtx(ctx, op, key); err != nil {
		return false, err
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return false, backend.NewError(backend.KindPermanent, backendName, op, key, err)
	}
	path := b.path(key)
	f, err := os.OpenFile(path, os.O_RDWR|openFlags, 0)
	if err != nil {
		// A directory cannot be opened for writing (EISDIR); readers take it, like any
		// non-regular file, for a miss, and so does RefreshTTL.
		if isAbsent(err) || errors.Is(err, syscall.EISDIR) {
			return false, nil
		}
		return false, osError(op, key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, osError(op, key, err)
	}
	if !fi.Mode().IsRegular() || fi.Size()-HeaderSize > b.opts.MaxValueSize {
		return false, nil
	}
	hdr, err := readAtMost(f, HeaderSize)
	if err != nil {
		return false, osError(op, key, err)
	}
	now := b.now()
	e := entry{id: idOf(fi), size: fi.Size()}
	e.header, err = ParseHeader(hdr)
	switch {
	case errors.Is(err, ErrCorruptEntry):
		e.state = stateCorrupt
	case err != nil:
		return false, nil // unsupported header: never rewritten (FILE-3)
	case e.header.Expired(now):
		e.state = stateExpired
	default:
		var expiry [8]byte
		binary.BigEndian.PutUint64(expiry[:], expiryAt(now, ttl))
		if _, err := f.WriteAt(expiry[:], offExpiry); err != nil {
			return false, osError(op, key, err)
		}
		return true, nil
	}
	_ = f.Close()
	b.discard(path, e)
	return false, nil
}
