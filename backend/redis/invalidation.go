package redis

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// Reconnection backoff of an invalidation subscription.
const (
	minResubscribeDelay = 50 * time.Millisecond
	maxResubscribeDelay = 2 * time.Second
)

// errTrackingUnsupported marks a server (or connection) that cannot push RESP3
// invalidation messages; InvalidationAuto then falls back to pub/sub.
var errTrackingUnsupported = errors.New("redis: the server cannot push RESP3 client-tracking invalidations")

// subscription is one SubscribeInvalidations call.
type subscription struct {
	b      *Backend
	prefix string
	fn     func(backend.Invalidation)
	pubsub bool // true: pub/sub path; false: client tracking

	deliverMu sync.Mutex // serialises fn and guards stopped and disconnected
	stopped   bool
	// disconnected is true from the flush-all that said the connection was lost
	// (Invalidation.Disconnected) until the reconnection's flush-all.
	disconnected bool

	// Tracking state; nil maps while disconnected.
	connMu    sync.RWMutex
	conns     map[string]*trackingConn // node address ("" for a single node) -> connection
	slotOwner []string                 // Cluster: slot -> node address; nil otherwise

	refresh  chan struct{} // asks the tracking loop to reconnect (topology changed)
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// SubscribeInvalidations calls fn for every change to a key starting with prefix, until
// the returned stop is called or the Backend is closed. See the package documentation for
// the two delivery paths (RESP3 client tracking, pub/sub fallback), how this process's
// own writes are reported, and the meaning of an Invalidation with an empty Key: "evict
// every entry under prefix", sent when notifications may have been lost (a reconnection)
// or the server flushed everything. The flush-all sent when a connection breaks has
// Invalidation.Disconnected set; the one sent once the subscription is back has not.
//
// ctx bounds only the set-up; the subscription lives until stop. fn runs on a backend
// goroutine, must not block, and must not call stop. After stop returns, fn is not called
// again.
func (b *Backend) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	if err := b.checkOpen("subscribe", prefix); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, backend.NewError(backend.KindPermanent, backendName, "subscribe", prefix,
			errors.New("redis: SubscribeInvalidations needs a non-nil callback"))
	}
	if err := ctx.Err(); err != nil {
		return nil, backend.ContextError(backendName, "subscribe", prefix, err)
	}
	lifeCtx, cancel := context.WithCancel(context.Background())
	s := &subscription{
		b: b, prefix: prefix, fn: fn,
		refresh: make(chan struct{}, 1),
		ctx:     lifeCtx, cancel: cancel, done: make(chan struct{}),
	}
	var err error
	switch b.opts.Invalidation {
	case InvalidationPubSub:
		err = s.startPubSub(ctx)
	default:
		err = s.startTracking(ctx)
		if errors.Is(err, errTrackingUnsupported) && b.opts.Invalidation == InvalidationAuto {
			err = s.startPubSub(ctx)
		}
	}
	if err != nil {
		cancel()
		return nil, b.wrapError(ctx, "subscribe", prefix, err)
	}
	if !b.subs.add(s) {
		s.stop()
		return nil, b.checkOpen("subscribe", prefix)
	}
	return s.stop, nil
}

// stop ends the subscription: no fn call starts after it returns, and its goroutines are
// gone.
func (s *subscription) stop() {
	s.stopOnce.Do(func() {
		s.deliverMu.Lock()
		s.stopped = true
		s.deliverMu.Unlock()
		s.b.subs.remove(s)
		s.cancel()
		<-s.done
	})
}

// deliver calls fn unless the subscription stopped.
func (s *subscription) deliver(inv backend.Invalidation) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if !s.stopped {
		s.fn(inv)
	}
}

// flushAll tells the subscriber to drop everything under the prefix: the server
// flushed its keyspace, or a connection went away. While the subscription is
// disconnected the flush says so too; only reconnected ends that state, so a late flush
// from a connection being torn down cannot announce a recovery that has not happened.
func (s *subscription) flushAll() {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if !s.stopped {
		s.fn(backend.Invalidation{Disconnected: s.disconnected})
	}
}

// disconnect tells the subscriber that notifications stop until reconnected: a
// flush-all with Disconnected set, once per outage.
func (s *subscription) disconnect() {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if s.disconnected {
		return
	}
	s.disconnected = true
	if !s.stopped {
		s.fn(backend.Invalidation{Disconnected: true})
	}
}

// reconnected tells the subscriber that notifications flow again, with a flush-all
// without Disconnected: whatever changed while they did not is covered by it. The
// caller has already made the new connection deliver, so no change after this flush
// goes unreported.
func (s *subscription) reconnected() {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.disconnected = false
	if !s.stopped {
		s.fn(backend.Invalidation{})
	}
}

// sleep waits d or until the subscription stops; it reports whether to go on.
func (s *subscription) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func nextDelay(d time.Duration) time.Duration {
	return min(d*2, maxResubscribeDelay)
}

func (l *subscriptions) add(s *subscription) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.b.closed.Load() {
		return false
	}
	l.list = append(l.list, s)
	if s.pubsub {
		l.pubsub.Add(1)
	}
	return true
}

func (l *subscriptions) remove(s *subscription) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.list {
		if x == s {
			l.list = append(l.list[:i], l.list[i+1:]...)
			if s.pubsub {
				l.pubsub.Add(-1)
			}
			return
		}
	}
}

func (l *subscriptions) stopAll() {
	l.mu.RLock()
	list := append([]*subscription(nil), l.list...)
	l.mu.RUnlock()
	for _, s := range list {
		s.stop()
	}
}

// trackingRoute returns a live tracking connection that watches key, and its
// subscription, or nils.
func (l *subscriptions) trackingRoute(key string, cmd *rueidis.Completed) (*subscription, rueidis.DedicatedClient) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, s := range l.list {
		if s.pubsub || !strings.HasPrefix(key, s.prefix) {
			continue
		}
		if dc := s.connFor(cmd); dc != nil {
			return s, dc
		}
	}
	return nil, nil
}

// invalidationMessage is the pub/sub payload: the key written and the writer's origin.
type invalidationMessage struct {
	Key    string `json:"key"`
	Origin string `json:"origin,omitempty"`
}

// write sends a write command for key. A write with an origin (backend.WithOrigin) to a
// key that one of this backend's tracking subscriptions watches goes over that
// subscription's tracking connection, where NOLOOP keeps the server from echoing it; the
// subscription is told locally instead, with Origin set. When publishing is on, the write
// is pipelined with a PUBLISH on the invalidation channel.
func (b *Backend) write(ctx context.Context, key string, cmd rueidis.Completed) rueidis.RedisResult {
	var publish rueidis.Completed
	origin := backend.OriginFrom(ctx)
	publishing := b.opts.PublishInvalidations || b.subs.pubsub.Load() > 0
	if publishing {
		payload, _ := json.Marshal(invalidationMessage{Key: key, Origin: origin}) // strings always marshal
		publish = b.client.B().Publish().Channel(b.opts.InvalidationChannel).Message(string(payload)).Build()
	}
	if origin != "" {
		if sub, dc := b.subs.trackingRoute(key, &cmd); dc != nil {
			cmd = cmd.Pin() // kept for the fallback below
			if publishing {
				publish = publish.Pin()
			}
			res := do(ctx, dc, cmd, publish, publishing)
			if err := res.Error(); errors.Is(err, rueidis.ErrDedicatedClientRecycled) || errors.Is(err, rueidis.ErrClosing) {
				// The tracking connection was closed for a reconnection before the
				// command was sent; the reconnection's flush-all covers the echo.
				return do(ctx, b.client, cmd, publish, publishing)
			}
			if re, ok := rueidis.IsRedisErr(res.Error()); ok {
				if _, redirected := re.IsRedirect(); redirected {
					sub.requestRefresh()
					return do(ctx, b.client, cmd, publish, publishing)
				}
			}
			if res.NonRedisError() == nil {
				sub.deliver(backend.Invalidation{Key: key, Origin: origin})
			}
			return res
		}
	}
	return do(ctx, b.client, cmd, publish, publishing)
}

// do sends cmd, pipelined with publish when publishing, and returns cmd's result (or the
// PUBLISH failure, so that a write whose notification was lost is reported).
func do(ctx context.Context, c rueidis.CoreClient, cmd, publish rueidis.Completed, publishing bool) rueidis.RedisResult {
	if !publishing {
		return c.Do(ctx, cmd)
	}
	res := c.DoMulti(ctx, cmd, publish)
	if res[0].Error() == nil && res[1].Error() != nil {
		return res[1]
	}
	return res[0]
}
