package cachekit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// fakeBackend is a map-backed test backend that counts calls and fails on demand. It
// implements backend.TTLInspector but not the other capabilities; batchBackend adds
// backend.BatchGetter.
type fakeBackend struct {
	mu      sync.Mutex
	entries map[string]fakeEntry
	now     func() time.Time

	gets, sets, deletes, exists atomic.Int64

	failGet, failSet, failDelete error
	closed                       atomic.Bool

	// beforeDelete, when set, runs at the start of Delete, before the entry goes.
	beforeDelete func(key string)
}

type fakeEntry struct {
	value   []byte
	ttl     time.Duration
	expires time.Time
	origin  string
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{entries: map[string]fakeEntry{}, now: time.Now}
}

var errInjected = errors.New("injected failure")

func transientFailure(op string) error {
	return backend.NewError(backend.KindTransient, "fake", op, "", errInjected)
}

func (f *fakeBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	f.gets.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failGet != nil {
		return nil, false, f.failGet
	}
	e, ok := f.entries[key]
	if !ok || !f.now().Before(e.expires) {
		return nil, false, nil
	}
	return append([]byte(nil), e.value...), true, nil
}

func (f *fakeBackend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	f.sets.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSet != nil {
		return f.failSet
	}
	ttl, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return err
	}
	f.entries[key] = fakeEntry{
		value:   append([]byte(nil), value...),
		ttl:     ttl,
		expires: f.now().Add(ttl),
		origin:  backend.OriginFrom(ctx),
	}
	return nil
}

func (f *fakeBackend) Delete(ctx context.Context, key string) (bool, error) {
	f.deletes.Add(1)
	if f.beforeDelete != nil {
		f.beforeDelete(key)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failDelete != nil {
		return false, f.failDelete
	}
	_, ok := f.entries[key]
	delete(f.entries, key)
	return ok, nil
}

func (f *fakeBackend) Exists(ctx context.Context, key string) (bool, error) {
	f.exists.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	return ok && f.now().Before(e.expires), nil
}

func (f *fakeBackend) Health(context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{Healthy: true, Backend: "fake"}, nil
}

func (f *fakeBackend) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	if !ok {
		return 0, false, nil
	}
	return e.expires.Sub(f.now()).Truncate(time.Second), true, nil
}

func (f *fakeBackend) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	if !ok {
		return false, nil
	}
	e.ttl, e.expires = ttl, f.now().Add(ttl)
	f.entries[key] = e
	return true, nil
}

func (f *fakeBackend) Close() error {
	f.closed.Store(true)
	return nil
}

// raw returns the bytes stored under the full storage key.
func (f *fakeBackend) raw(key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	return e.value, ok
}

// entry returns the stored entry under the full storage key.
func (f *fakeBackend) entry(key string) (fakeEntry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	return e, ok
}

// put stores raw bytes under the full storage key, as another writer would.
func (f *fakeBackend) put(key string, value []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries[key] = fakeEntry{value: value, ttl: time.Hour, expires: f.now().Add(time.Hour)}
}

func (f *fakeBackend) fail(get, set, del error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failGet, f.failSet, f.failDelete = get, set, del
}

// batchBackend adds backend.BatchGetter to fakeBackend.
type batchBackend struct {
	*fakeBackend
	batches atomic.Int64
}

func (b *batchBackend) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	b.batches.Add(1)
	out := map[string][]byte{}
	for _, k := range keys {
		b.fakeBackend.mu.Lock()
		e, ok := b.entries[k]
		b.fakeBackend.mu.Unlock()
		if ok && b.now().Before(e.expires) {
			out[k] = append([]byte(nil), e.value...)
		}
	}
	return out, nil
}

// backendWithTTL is what fakeBackend and batchBackend both are.
type backendWithTTL interface {
	backend.Backend
	backend.TTLInspector
}

// invalidatingBackend adds backend.Invalidator to fakeBackend. It never reports changes
// by itself: tests deliver what a real backend would with send, on their own goroutine.
type invalidatingBackend struct {
	*fakeBackend
	subscribeErr error // returned by SubscribeInvalidations when set

	mu   sync.Mutex
	subs []func(backend.Invalidation)
}

func newInvalidatingBackend() *invalidatingBackend {
	return &invalidatingBackend{fakeBackend: newFakeBackend()}
}

func (b *invalidatingBackend) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	if b.subscribeErr != nil {
		return nil, b.subscribeErr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, fn)
	i := len(b.subs) - 1
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs[i] = nil
	}, nil
}

// send delivers inv to every live subscriber, as the backend's goroutine would.
func (b *invalidatingBackend) send(inv backend.Invalidation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, fn := range b.subs {
		if fn != nil {
			fn(inv)
		}
	}
}
