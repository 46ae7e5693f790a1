package redis

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// startPubSub subscribes to the invalidation channel and returns once the server
// confirmed the subscription, so that writes made after it are seen.
func (s *subscription) startPubSub(ctx context.Context) error {
	s.pubsub = true
	ready := make(chan error, 1)
	var subscribedOnce atomic.Bool
	hookCtx := rueidis.WithOnSubscriptionHook(s.ctx, func(ps rueidis.PubSubSubscription) {
		if ps.Kind != "subscribe" {
			return
		}
		if subscribedOnce.CompareAndSwap(false, true) {
			ready <- nil
			return
		}
		// A re-subscription: notifications flow again, and the flush covers the
		// messages published in between.
		s.reconnected()
	})
	go s.runPubSub(hookCtx, ready, &subscribedOnce)
	select {
	case err := <-ready:
		if err != nil {
			<-s.done
		}
		return err
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return ctx.Err()
	}
}

// runPubSub receives channel messages until the subscription stops, re-subscribing with
// backoff when the connection breaks. A break is reported as a flush-all marked
// Disconnected, the confirmed re-subscription (the hook in startPubSub, which runs before
// any message of the new subscription) as a plain one.
func (s *subscription) runPubSub(hookCtx context.Context, ready chan<- error, subscribedOnce *atomic.Bool) {
	defer close(s.done)
	client := s.b.client
	for delay := minResubscribeDelay; ; delay = nextDelay(delay) {
		err := client.Receive(hookCtx, client.B().Subscribe().Channel(s.b.opts.InvalidationChannel).Build(), s.onMessage)
		if s.ctx.Err() != nil {
			return
		}
		if !subscribedOnce.Load() {
			if err == nil {
				err = errTrackingUnsupported // unreachable in practice: unsubscribed before subscribing
			}
			ready <- err
			return
		}
		s.disconnect()
		if !s.sleep(delay) {
			return
		}
	}
}

// onMessage decodes one published invalidation.
func (s *subscription) onMessage(m rueidis.PubSubMessage) {
	var msg invalidationMessage
	if err := json.Unmarshal([]byte(m.Message), &msg); err != nil {
		return // not ours; other publishers may share the channel
	}
	if msg.Key == "" {
		s.flushAll()
		return
	}
	if strings.HasPrefix(msg.Key, s.prefix) {
		s.deliver(backend.Invalidation{Key: msg.Key, Origin: msg.Origin})
	}
}
