package cachekit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/flight"
)

// memoGroupLoadBound is the load bound given to the shared single-flight group. Each
// memoizer applies its own MemoLoadTimeout inside its load function, so the group's
// bound only has to be longer than any of them.
const memoGroupLoadBound = 24 * time.Hour

// memoState is what the memoized functions of one client share: one single-flight
// group (keyed by storage key, so every memoizer and both encryption modes share it),
// and the background refreshes, which Close cancels and waits for.
type memoState struct {
	group     *flight.Group[any]
	hasLocker bool

	// base is cancelled by close; background work runs on contexts it cancels.
	base   context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	closed     bool
	refreshing map[string]struct{} // storage keys with a refresh running
	refreshes  sync.WaitGroup
}

// init prepares the state of client c. The group takes the backend's Locker when it
// has one; it gets no Invalidator of its own: the client forwards the invalidations it
// already receives (onInvalidation calls notify), saving a second subscription.
func (ms *memoState) init(c *Client) error {
	fo := flight.Options{
		LoadTimeout: memoGroupLoadBound,
		OnError: func(err error) {
			c.logger.Debug("cachekit: memoize is loading without the cross-process lock", "error", err)
		},
	}
	if lk, ok := c.backend.(backend.Locker); ok {
		fo.Locker, ms.hasLocker = lk, true
	}
	g, err := flight.New[any](fo)
	if err != nil {
		return err
	}
	ms.group = g
	ms.base, ms.cancel = context.WithCancel(context.Background())
	ms.refreshing = make(map[string]struct{})
	return nil
}

// notify wakes memoized calls waiting for another process to store key (a storage
// key; "" wakes them all).
func (ms *memoState) notify(key string) {
	if ms.group != nil {
		ms.group.Notify(key)
	}
}

// close cancels running loads and refreshes and waits for them.
func (ms *memoState) close() {
	if ms.group == nil {
		return
	}
	ms.mu.Lock()
	ms.closed = true
	ms.mu.Unlock()
	ms.cancel()
	ms.refreshes.Wait()
	_ = ms.group.Close() // never fails
}

// startRefresh claims the refresh of key; it reports false when one is already
// running or the client is closing.
func (ms *memoState) startRefresh(key string) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.closed {
		return false
	}
	if _, running := ms.refreshing[key]; running {
		return false
	}
	ms.refreshing[key] = struct{}{}
	ms.refreshes.Add(1)
	return true
}

// endRefresh releases the claim of startRefresh.
func (ms *memoState) endRefresh(key string) {
	ms.mu.Lock()
	delete(ms.refreshing, key)
	ms.mu.Unlock()
	ms.refreshes.Done()
}

// detach returns a context with ctx's values that ends when the client closes, not
// when ctx does.
func (ms *memoState) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ms.base, cancel)
	return dctx, func() {
		stop()
		cancel()
	}
}

// jitterSeed makes keyJitter vary between processes but stay fixed within one.
var jitterSeed = maphash.MakeSeed()

// keyJitter is the stale-while-revalidate jitter of a value read from the backend,
// which carries none: a factor in [0.9, 1.1) fixed per key for the process's life.
func keyJitter(storageKey string) float64 {
	h := maphash.String(jitterSeed, storageKey)
	return 0.9 + 0.2*float64(h>>11)/float64(1<<53)
}
