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
	// reads and writes bound each operation by Options.ReadTimeout and WriteTimeout.
	reads, writes opTimeout
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
	return wrapClient(client, true, resolved), nil
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
	return wrapClient(client, false, resolved), nil
}

// wrapClient returns a Backend over client configured by resolved options.
func wrapClient(client rueidis.Client, ownsClient bool, resolved Options) *Backend {
	return &Backend{
		client:     client,
		ownsClient: ownsClient,
		opts:       resolved,
		reads:      newOpTimeout(resolved.ReadTimeout),
		writes:     newOpTimeout(resolved.WriteTimeout),
	}
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

// sharedDeadlineSlack sets how much later than its own timeout an operation on a
// context without deadline or cancellation may time out: by at most 1/sharedDeadlineSlack
// of the timeout (47 ms of the default 3 s), the window within which operations share a
// timer.
const sharedDeadlineSlack = 64

// opTimeout bounds operations by one timeout (Options.ReadTimeout or WriteTimeout).
//
// A context.WithTimeout per operation costs a timer, added to and removed from the
// runtime's timer heap under its lock, and five allocations (the context, the timer, two
// closures and, once rueidis waits on it, the done channel). When the caller's context
// can neither end nor be cancelled (context.Background and values over it, as in
// background work), no per-operation state is needed: operations that start within the
// same window of timeout/sharedDeadlineSlack share one context, which ends at least the
// timeout and at most the timeout plus that window after each of them started. A
// caller's context that can end keeps an exact timer of its own.
type opTimeout struct {
	d, slack time.Duration
	// current is the most recently started shared context (see shared).
	current atomic.Pointer[sharedDeadline]
}

func newOpTimeout(d time.Duration) opTimeout {
	return opTimeout{d: d, slack: d / sharedDeadlineSlack}
}

// bound returns ctx limited to the timeout, unless ctx already ends sooner. The returned
// cancel is never nil.
func (t *opTimeout) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= t.d {
		return ctx, noCancel
	}
	if ctx.Done() != nil {
		return context.WithTimeout(ctx, t.d)
	}
	s := t.shared(time.Now())
	if ctx == context.Background() || ctx == context.TODO() {
		return s, noCancel
	}
	return sharedWithValues{s, ctx}, noCancel
}

// shared returns a shared context whose deadline is at least now plus the timeout,
// starting a new one when the current one ends too soon. Two calls that start a new one
// at once each keep their own; the one stored last is shared from then on.
func (t *opTimeout) shared(now time.Time) *sharedDeadline {
	earliest := now.Add(t.d)
	if s := t.current.Load(); s != nil && !s.deadline.Before(earliest) {
		return s
	}
	s := newSharedDeadline(earliest.Add(t.slack))
	t.current.Store(s)
	return s
}

func noCancel() {}

// sharedDeadline is a context that ends at deadline, shared by the operations of one
// window. It carries no values and is never cancelled early, so sharing it is safe: the
// only event it reports is its deadline passing.
type sharedDeadline struct {
	deadline time.Time
	// expired is cancelled by a timer when deadline passes.
	expired context.Context
}

func newSharedDeadline(deadline time.Time) *sharedDeadline {
	expired, expire := context.WithCancel(context.Background())
	time.AfterFunc(time.Until(deadline), expire)
	return &sharedDeadline{deadline: deadline, expired: expired}
}

// Deadline returns the shared deadline.
func (s *sharedDeadline) Deadline() (time.Time, bool) { return s.deadline, true }

// Done is closed when the deadline has passed.
func (s *sharedDeadline) Done() <-chan struct{} { return s.expired.Done() }

// Err returns context.DeadlineExceeded once Done is closed, else nil.
func (s *sharedDeadline) Err() error {
	if s.expired.Err() != nil {
		return context.DeadlineExceeded
	}
	return nil
}

// Value returns nil: a sharedDeadline carries no values.
func (s *sharedDeadline) Value(any) any { return nil }

// AfterFunc arranges for f to run once the deadline has passed. The context package
// uses it for contexts derived from this one, which then need no goroutine of their
// own to learn that it ended.
func (s *sharedDeadline) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(s.expired, f)
}

// sharedWithValues is a shared deadline carrying the values of the caller's context,
// such as backend.WithOrigin's.
type sharedWithValues struct {
	*sharedDeadline
	values context.Context
}

// Value returns the caller's value for key.
func (c sharedWithValues) Value(key any) any { return c.values.Value(key) }

// Get returns the value under key. A missing key is found == false with a nil error.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := b.checkOpen("get", key); err != nil {
		return nil, false, err
	}
	octx, cancel := b.reads.bound(ctx)
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
	octx, cancel := b.writes.bound(ctx)
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
	octx, cancel := b.writes.bound(ctx)
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
	octx, cancel := b.reads.bound(ctx)
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
	octx, cancel := b.reads.bound(ctx)
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
