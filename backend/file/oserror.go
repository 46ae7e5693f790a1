//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"errors"
	"syscall"

	"github.com/cachekit-io/cachekit-go/backend"
)

// osError wraps an operating-system failure of op on key as a *backend.Error whose kind
// follows classify.
func osError(op, key string, err error) error {
	return backend.NewError(classify(err), backendName, op, key, err)
}

// ctxError wraps a done context's error for op on key.
func ctxError(op, key string, err error) error {
	return backend.ContextError(backendName, op, key, err)
}

// checkCtx returns a wrapped context error when ctx is done, so I/O is not started for a
// caller that has given up.
func checkCtx(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(op, key, err)
	}
	return nil
}

// classify maps an operating-system error to a backend error kind.
//
//   - Transient (retrying may help): ENOSPC and EDQUOT (eviction, ours or another
//     process's, or an operator may free space), EIO (a flaky device or network file
//     system), EAGAIN, EINTR, EBUSY, EMFILE, ENFILE and ENOMEM (resource exhaustion that
//     passes).
//   - Timeout: ETIMEDOUT (network file systems).
//   - Permanent: permission and configuration problems that will not fix themselves:
//     EACCES, EPERM, EROFS, ELOOP, ENAMETOOLONG, ENOTDIR, EISDIR, EINVAL, EXDEV, EFBIG,
//     ENOENT (the cache directory itself was removed), and EEXIST and ENOTEMPTY (what
//     os.Rename reports when a directory sits at an entry's or a lock's path).
//   - Anything else: transient, as cachekit-py treats unknown errors; a retry policy
//     bounds the attempts.
func classify(err error) backend.ErrorKind {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return backend.KindTransient
	}
	switch errno {
	case syscall.ETIMEDOUT:
		return backend.KindTimeout
	case syscall.EACCES, syscall.EPERM, syscall.EROFS, syscall.ELOOP, syscall.ENAMETOOLONG,
		syscall.ENOTDIR, syscall.EISDIR, syscall.EINVAL, syscall.EXDEV, syscall.EFBIG,
		syscall.ENOENT, syscall.EEXIST, syscall.ENOTEMPTY:
		return backend.KindPermanent
	}
	return backend.KindTransient
}
