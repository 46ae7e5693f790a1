//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Lock files. The lock for key lives in "{EntryName(backend.LockKey(key))}.lock", a name
// that is never read as an entry, and holds one line:
//
//	cachekit-go-lock v1 <deadline in Unix nanoseconds> <lock id>
//
// Every change to a lock file (take, take over an expired one, release) happens while
// holding an exclusive flock(2) on the cache directory itself, so the read-decide-write
// of two processes never interleaves; the kernel drops a flock when its holder dies, and
// a dead holder's lock expires by its deadline. flock is reliable on local file systems;
// this Locker is not meant for directories on NFS or other network file systems.
const lockMagic = "cachekit-go-lock v1"

// maxLockFile bounds how much of a lock file is read.
const maxLockFile = 256

// AcquireLock tries once, without waiting for the holder, to take the lock for key for
// timeout. It returns a random lock id when it took the lock (also when the previous
// holder's deadline had passed) and acquired == false when an unexpired lock is held by
// someone else. A timeout <= 0 is refused with an error wrapping backend.ErrInvalidTTL.
func (b *Backend) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	const op = "acquire_lock"
	if err := checkCtx(ctx, op, key); err != nil {
		return "", false, err
	}
	if timeout <= 0 {
		return "", false, backend.NewError(backend.KindPermanent, backendName, op, key, backend.ErrInvalidTTL)
	}
	unlock, err := b.lockDir(ctx, op, key)
	if err != nil {
		return "", false, err
	}
	defer unlock()
	now := b.now()
	path := b.lockPath(key)
	if deadline, _, ok := readLock(path); ok && now.Before(deadline) {
		return "", false, nil
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(raw[:])
	line := fmt.Sprintf("%s %d %s\n", lockMagic, now.Add(timeout).UnixNano(), id)
	tmp, f, err := b.createTemp(filepath.Base(path))
	if err != nil {
		return "", false, osError(op, key, err)
	}
	_, werr := f.WriteString(line)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return "", false, osError(op, key, werr)
	}
	return id, true, nil
}

// ReleaseLock releases the lock for key if it is still held under lockID and its
// deadline has not passed, and reports whether it did. A lock held under another id is
// left alone; an expired lock still carrying lockID is removed, reporting false.
func (b *Backend) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	const op = "release_lock"
	if err := checkCtx(ctx, op, key); err != nil {
		return false, err
	}
	if lockID == "" {
		return false, nil
	}
	unlock, err := b.lockDir(ctx, op, key)
	if err != nil {
		return false, err
	}
	defer unlock()
	path := b.lockPath(key)
	deadline, id, ok := readLock(path)
	if !ok || id != lockID {
		return false, nil
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, osError(op, key, err)
	}
	return b.now().Before(deadline), nil
}

// lockPath returns the path of the lock file for key.
func (b *Backend) lockPath(key string) string {
	return filepath.Join(b.dir, EntryName(backend.LockKey(key))+lockSuffix)
}

// readLock parses the lock file at path. ok is false when there is no readable, well
// formed lock file, which the caller treats as a free lock.
func readLock(path string) (deadline time.Time, id string, ok bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return time.Time{}, "", false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return time.Time{}, "", false
	}
	data, err := readAtMost(f, maxLockFile)
	if err != nil {
		return time.Time{}, "", false
	}
	rest, found := strings.CutPrefix(strings.TrimSuffix(string(data), "\n"), lockMagic+" ")
	if !found {
		return time.Time{}, "", false
	}
	nanos, id, found := strings.Cut(rest, " ")
	if !found || id == "" {
		return time.Time{}, "", false
	}
	n, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(0, n), id, true
}

// lockDir takes this process's lock-file semaphore, then an exclusive flock on the cache
// directory, polling without blocking so that ctx is honoured while another process
// holds it. The returned function releases both.
func (b *Backend) lockDir(ctx context.Context, op, key string) (func(), error) {
	select {
	case b.lockSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctxError(op, key, ctx.Err())
	}
	d, err := os.Open(b.dir)
	if err != nil {
		<-b.lockSem
		return nil, osError(op, key, err)
	}
	release := func() {
		_ = d.Close() // closing the descriptor drops the flock
		<-b.lockSem
	}
	fd := int(d.Fd())
	wait := time.Millisecond
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return release, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			release()
			return nil, osError(op, key, err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			release()
			return nil, ctxError(op, key, ctx.Err())
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}
