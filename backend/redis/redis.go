package redis

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// Backend stores cachekit entries in Redis (standalone, Sentinel or Cluster) through a
// rueidis client. It implements backend.Backend, backend.TTLInspector, backend.Locker,
// backend.BatchGetter and backend.Invalidator, and is safe for concurrent use.
type Backend struct {
	client     rueidis.Client
	ownsClient bool
	opts       Options // resolved; never printed whole (String redacts)

	closed atomic.Bool
	subs   subscriptions
}

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.TTLInspector = (*Backend)(nil)
	_ backend.Locker       = (*Backend)(nil)
	_ backend.BatchGetter  = (*Backend)(nil)
	_ backend.Invalidator  = (*Backend)(nil)
)

// New connects to the deployment opts describes. rueidis dials at construction, so New
// fails with a *backend.Error (transient, timeout or authentication) when the server is
// unreachable or refuses the credentials; the error never contains the password.
func New(opts Options) (*Backend, error) {
	resolved, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	client, err := rueidis.NewClient(resolved.clientOption())
	if err != nil {
		return nil, classify(context.Background(), "connect", "", err)
	}
	return &Backend{client: client, ownsClient: true, opts: resolved}, nil
}

// NewFromClient wraps a rueidis client the caller already has. Only the timeout and
// invalidation fields of opts are used; connection fields are ignored. Close does not
// close client: its owner does, after closing the Backend.
func NewFromClient(client rueidis.Client, opts Options) (*Backend, error) {
	if client == nil {
		return nil, ErrNilClient
	}
	opts.URL, opts.MasterName = "", ""
	opts.Addrs = []string{"client:0"} // satisfies validation; never dialled
	resolved, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	resolved.Addrs = nil
	return &Backend{client: client, opts: resolved}, nil
}

// Client returns the underlying rueidis client, for commands this package does not wrap.
func (b *Backend) Client() rueidis.Client { return b.client }

// Close stops every invalidation subscription, waits for their goroutines, and closes the
// client when New created it. Calls after the first are no-ops; other methods then fail
// with backend.ErrClosed.
func (b *Backend) Close() error {
	if !b.closed.CompareAndSwap(false, true) {
		return nil
	}
	b.subs.stopAll()
	if b.ownsClient {
		b.client.Close()
	}
	return nil
}

// String describes the backend without secrets.
func (b *Backend) String() string {
	return fmt.Sprintf("redis.Backend{mode:%s addrs:%v}", b.client.Mode(), b.opts.Addrs)
}

// checkOpen returns ErrClosed wrapped for op after Close.
func (b *Backend) checkOpen(op, key string) error {
	if b.closed.Load() {
		return backend.NewError(backend.KindPermanent, backendName, op, key, backend.ErrClosed)
	}
	return nil
}

// opContext bounds ctx by d unless ctx already ends sooner. The returned cancel is never
// nil.
func opContext(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, d)
}

func noCancel() {}

// Get returns the value under key. A missing key is found == false with a nil error.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := b.checkOpen("get", key); err != nil {
		return nil, false, err
	}
	octx, cancel := opContext(ctx, b.opts.ReadTimeout)
	defer cancel()
	v, err := b.client.Do(octx, b.client.B().Get().Key(key).Build()).AsBytes()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return nil, false, nil
		}
		return nil, false, b.wrapError(ctx, "get", key, err)
	}
	if v == nil {
		v = []byte{}
	}
	// AsBytes views the reply's freshly read string; nothing else refers to it, so the
	// caller may own and modify it.
	return v, true, nil
}

// Set stores value under key with SET key value EX secs, secs being ttl rounded up to
// whole seconds (at least 1). ttl <= 0 fails with backend.ErrInvalidTTL.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := b.checkOpen("set", key); err != nil {
		return err
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return backend.NewError(backend.KindPermanent, backendName, "set", key, err)
	}
	octx, cancel := opContext(ctx, b.opts.WriteTimeout)
	defer cancel()
	cmd := b.client.B().Set().Key(key).Value(rueidis.BinaryString(value)).ExSeconds(int64(ttl / time.Second)).Build()
	if _, err := b.write(octx, key, cmd).ToString(); err != nil {
		return b.wrapError(ctx, "set", key, err)
	}
	return nil
}

// Delete removes key; deleted reports whether DEL removed an entry.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	if err := b.checkOpen("delete", key); err != nil {
		return false, err
	}
	octx, cancel := opContext(ctx, b.opts.WriteTimeout)
	defer cancel()
	n, err := b.write(octx, key, b.client.B().Del().Key(key).Build()).AsInt64()
	if err != nil {
		return false, b.wrapError(ctx, "delete", key, err)
	}
	return n > 0, nil
}

// Exists reports whether key holds a live entry.
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	if err := b.checkOpen("exists", key); err != nil {
		return false, err
	}
	octx, cancel := opContext(ctx, b.opts.ReadTimeout)
	defer cancel()
	n, err := b.client.Do(octx, b.client.B().Exists().Key(key).Build()).AsInt64()
	if err != nil {
		return false, b.wrapError(ctx, "exists", key, err)
	}
	return n > 0, nil
}

// Health sends PING and measures the round trip. Details carry the client mode and the
// number of known nodes, never credentials.
func (b *Backend) Health(ctx context.Context) (backend.HealthStatus, error) {
	st := backend.HealthStatus{Backend: backendName, Details: map[string]string{
		"mode": string(b.client.Mode()),
	}}
	if err := b.checkOpen("health", ""); err != nil {
		return st, err
	}
	octx, cancel := opContext(ctx, b.opts.ReadTimeout)
	defer cancel()
	start := time.Now()
	err := b.client.Do(octx, b.client.B().Ping().Build()).Error()
	st.Latency = time.Since(start)
	if err != nil {
		return st, b.wrapError(ctx, "health", "", err)
	}
	st.Healthy = true
	st.Details["nodes"] = strconv.Itoa(len(b.client.Nodes()))
	return st, nil
}

// subscriptions is the set of live invalidation subscriptions of a Backend.
type subscriptions struct {
	mu     sync.RWMutex
	list   []*subscription
	pubsub atomic.Int32 // how many use the pub/sub path; > 0 turns publishing on
}
