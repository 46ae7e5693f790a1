//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import "context"

// Get returns the payload of the entry stored under key. An absent, expired or corrupt
// entry is a miss (expired and corrupt files are removed); so is an entry whose header has
// a non-zero reserved byte or flags (left untouched, as the format requires) and one
// whose payload exceeds MaxValueSize (left for the writer that could store it). The
// returned slice belongs to the caller.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	path, e, err := b.lookup(ctx, "get", key, true)
	if err != nil {
		return nil, false, err
	}
	if e.state != stateLive {
		b.discard(path, e)
		return nil, false, nil
	}
	return e.data[HeaderSize:], true, nil
}

// Exists reports whether a live entry is stored under key, reading only its header. It
// answers as Get would and removes the same expired and corrupt files.
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	path, e, err := b.lookup(ctx, "exists", key, false)
	if err != nil {
		return false, err
	}
	if e.state != stateLive {
		b.discard(path, e)
		return false, nil
	}
	return true, nil
}

// GetMany returns the live entries among keys, reading them one after another; absent
// keys are missing from the map. It stops at the first error or when ctx is done.
func (b *Backend) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	found := make(map[string][]byte, len(keys))
	for _, key := range keys {
		value, ok, err := b.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		if ok {
			found[key] = value
		}
	}
	return found, nil
}

// lookup starts Get, Exists and Delete: it refuses a done ctx, then inspects the entry
// file of key now (the whole file with full, else only its header) and returns its path
// and what readEntry found. Its errors are already wrapped for op on key.
func (b *Backend) lookup(ctx context.Context, op, key string, full bool) (string, entry, error) {
	if err := checkCtx(ctx, op, key); err != nil {
		return "", entry{}, err
	}
	path := b.path(key)
	e, err := b.readEntry(path, full, b.now())
	if err != nil {
		return "", entry{}, osError(op, key, err)
	}
	return path, e, nil
}
