package memory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cachekit-io/cachekit-go/backend"
)

// subscriber is one SubscribeInvalidations registration with its own delivery
// goroutine, so that writers only ever make a non-blocking channel send and never call
// fn themselves, let alone while holding a shard lock.
type subscriber struct {
	prefix string
	fn     func(backend.Invalidation)
	queue  chan backend.Invalidation
	// lost is set when a notification was dropped because queue was full.
	lost atomic.Bool

	quit     chan struct{} // closed by stop
	done     chan struct{} // closed when the goroutine has returned
	stopOnce sync.Once
}

// SubscribeInvalidations calls fn for every Set of a key starting with prefix and for
// every Delete that removed one, with Origin set from the writer's backend.WithOrigin
// context. Expiry, eviction, RefreshTTL and locks change no value and are not
// reported. Changes are delivered in order on a goroutine owned by the subscription.
//
// Writers never wait for fn: each subscription has a queue of
// Options.InvalidationBuffer notifications, and when fn falls that far behind, further
// notifications are dropped. After a drop, fn receives one Invalidation with an empty
// Key, which no stored key has, meaning "changes under the prefix were lost; treat
// every key under it as changed".
//
// stop ends the subscription and waits for a running fn to return; after it returns
// fn is not called again. stop may be called more than once, but not from fn, which
// would wait for itself. Close stops every subscription. A nil fn fails with an error
// wrapping ErrNilCallback.
func (b *Backend) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (stop func(), err error) {
	if err := b.usable(ctx, "subscribe_invalidations", prefix); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, permanent("subscribe_invalidations", prefix, ErrNilCallback)
	}
	s := &subscriber{
		prefix: prefix,
		fn:     fn,
		queue:  make(chan backend.Invalidation, b.subBuffer),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	b.subsMu.Lock()
	if b.closed.Load() {
		b.subsMu.Unlock()
		return nil, permanent("subscribe_invalidations", prefix, backend.ErrClosed)
	}
	var subs []*subscriber
	if p := b.subs.Load(); p != nil {
		subs = slices.Clone(*p)
	}
	subs = append(subs, s)
	b.subs.Store(&subs)
	b.subsMu.Unlock()

	go s.deliver()
	return func() { b.unsubscribe(s) }, nil
}

// unsubscribe removes s from the list writers read, then stops it.
func (b *Backend) unsubscribe(s *subscriber) {
	b.subsMu.Lock()
	if p := b.subs.Load(); p != nil {
		subs := slices.DeleteFunc(slices.Clone(*p), func(x *subscriber) bool { return x == s })
		b.subs.Store(&subs)
	}
	b.subsMu.Unlock()
	s.stop()
}

// stopAllSubscribers ends every subscription; Close calls it after marking the backend
// closed, so no new subscription can appear.
func (b *Backend) stopAllSubscribers() {
	b.subsMu.Lock()
	p := b.subs.Swap(nil)
	b.subsMu.Unlock()
	if p == nil {
		return
	}
	for _, s := range *p {
		s.stop()
	}
}

// publish queues a notification about key for every subscriber whose prefix matches.
// It is called after the shard lock is released and never blocks.
func (b *Backend) publish(ctx context.Context, key string) {
	p := b.subs.Load()
	if p == nil || len(*p) == 0 {
		return
	}
	inv := backend.Invalidation{Key: key, Origin: backend.OriginFrom(ctx)}
	for _, s := range *p {
		if !strings.HasPrefix(key, s.prefix) {
			continue
		}
		select {
		case s.queue <- inv:
		default:
			s.lost.Store(true)
		}
	}
}

// deliver runs fn for queued notifications until stop.
func (s *subscriber) deliver() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			return
		case inv := <-s.queue:
			if s.stopped() {
				return
			}
			s.fn(inv)
			if s.lost.Swap(false) {
				if s.stopped() {
					return
				}
				s.fn(backend.Invalidation{})
			}
		}
	}
}

func (s *subscriber) stopped() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// stop ends delivery and waits for the goroutine to return.
func (s *subscriber) stop() {
	s.stopOnce.Do(func() { close(s.quit) })
	<-s.done
}
