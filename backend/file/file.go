//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Backend is a cache stored as one file per entry in a local directory, in the format
// cachekit-py's File backend reads and writes. It is safe for concurrent use by many
// goroutines and by several processes sharing the directory.
//
// The operations live in read.go (Get, Exists, GetMany), write.go (Set), ttl.go (TTL,
// RefreshTTL), delete.go (Delete), lock.go (AcquireLock, ReleaseLock), health.go (Health)
// and evict.go (size caps).
type Backend struct {
	dir   string
	opts  Options
	pid   string
	usage usage

	// tempSeq makes the names of this process's temporary files unique.
	tempSeq atomic.Uint64
	// maintMu lets one goroutine at a time scan the directory (see maintain).
	maintMu sync.Mutex
	// lockSem serialises this process's lock-file transitions; the directory flock
	// serialises them across processes (see lockDir).
	lockSem chan struct{}

	hooks testHooks
}

// testHooks let the package's tests interleave other writers at precise points.
type testHooks struct {
	// beforeRemove runs after a reader decided to remove path and before it does.
	beforeRemove func(path string)
	// beforeRestore runs when removeIfSame took a newer file aside and is about to put
	// it back at path.
	beforeRestore func(path string)
	// tempName, when set, names the temporary file of the attempt-th try for base.
	tempName func(base string, attempt int) string
}

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.TTLInspector = (*Backend)(nil)
	_ backend.BatchGetter  = (*Backend)(nil)
	_ backend.Locker       = (*Backend)(nil)
)

// New opens (creating it when missing) the cache directory named by opts.Dir and returns
// a backend on it. It returns a *ConfigError, matching ErrInvalidOptions, for invalid
// options and for a directory that is not private to the current user (ErrInsecureDir).
// New removes stale temporary files and, when the directory is over a cap, evicts the
// oldest entries.
func New(opts Options) (*Backend, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, err := prepareDir(o.Dir)
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	b := &Backend{
		dir:     dir,
		opts:    o,
		pid:     strconv.Itoa(os.Getpid()),
		lockSem: make(chan struct{}, 1),
	}
	if err := b.maintain(""); err != nil {
		return nil, &ConfigError{Field: "Dir", Reason: "the directory cannot be listed", Err: err}
	}
	return b, nil
}

// path returns the path of the entry file of key.
func (b *Backend) path(key string) string {
	return filepath.Join(b.dir, EntryName(key))
}

// now reads the configured clock.
func (b *Backend) now() time.Time { return b.opts.Clock() }
