package memcached

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Backend stores cachekit entries in one or more memcached servers. It implements
// backend.Backend and the optional backend.TTLInspector, backend.Locker and
// backend.BatchGetter. Create it with New; it is safe for concurrent use and must be
// closed with Close.
//
// The operations live in their own files: operations.go (Get, Set, Delete, Exists),
// batch.go (GetMany), ttl.go (TTL, RefreshTTL), lock.go (AcquireLock, ReleaseLock) and
// health.go (Health).
type Backend struct {
	client       *memcache.Client
	servers      *rendezvous
	meta         *metaPool
	maxValueSize int

	// mu is held for reading by every call in progress and for writing by Close, which
	// therefore waits for calls to finish before closing connections.
	mu     sync.RWMutex
	closed bool
}

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.TTLInspector = (*Backend)(nil)
	_ backend.Locker       = (*Backend)(nil)
	_ backend.BatchGetter  = (*Backend)(nil)
)

// New validates opts and returns a Backend. It does not connect: connections are made
// on first use, so New succeeds while servers are down and calls fail with transient
// errors until they are back. The error wraps ErrInvalidOptions.
func New(opts Options) (*Backend, error) {
	servers, err := opts.validate()
	if err != nil {
		return nil, err
	}
	selector := newRendezvous(servers)
	timeout := opts.timeout()
	client := memcache.NewFromSelector(selector)
	client.Timeout = timeout
	client.MaxIdleConns = opts.maxIdleConns()
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	client.DialContext = dialer.DialContext
	return &Backend{
		client:       client,
		servers:      selector,
		meta:         newMetaPool(timeout, opts.maxIdleConns()),
		maxValueSize: opts.maxValueSize(),
	}, nil
}

// MaxValueSize returns the longest value Set accepts, in bytes: Options.MaxItemSize minus
// ItemOverhead.
func (b *Backend) MaxValueSize() int { return b.maxValueSize }

// Close waits for calls in progress to return, then closes every connection. Calls made
// after Close fail with an error wrapping backend.ErrClosed. Close is idempotent and
// always returns nil.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	_ = b.client.Close()
	b.meta.close()
	return nil
}

// enter starts a call: it fails when ctx is already done or the backend is closed, and
// otherwise holds b.mu for reading until the caller calls b.leave.
func (b *Backend) enter(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return backend.ContextError(name, op, key, err)
	}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return permanent(op, key, backend.ErrClosed)
	}
	return nil
}

// leave ends a call started by a successful enter.
func (b *Backend) leave() { b.mu.RUnlock() }

// addrOf returns the address of the server that owns key.
func (b *Backend) addrOf(key string) net.Addr {
	return b.servers.addrs[b.servers.pick(key)]
}
