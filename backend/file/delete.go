//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import "context"

// Delete removes the entry file under key and reports whether it held a live entry.
// Unlike a read, an explicit Delete also removes an entry whose header has a non-zero
// reserved byte or flags: leaving it would let an SDK that understands those flags serve
// a value the application deleted. Symbolic links and non-regular files at the path are
// never touched. A newer entry renamed into place while Delete runs survives it.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	const op = "delete"
	path, e, err := b.lookup(ctx, op, key, false)
	if err != nil {
		return false, err
	}
	if e.state == stateAbsent || e.state == stateNotRegular {
		return false, nil
	}
	removed, err := b.removeIfSame(path, e.id)
	if err != nil {
		return false, osError(op, key, err)
	}
	if !removed {
		return false, nil
	}
	b.usage.removed(e.size)
	return e.state == stateLive, nil
}
