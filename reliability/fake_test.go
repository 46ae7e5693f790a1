package reliability

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// fake is a scripted backend. Every operation calls respond, which decides the error
// (nil means success); with respond nil every call succeeds. It counts calls and the
// largest number that ran at once.
type fake struct {
	respond func(ctx context.Context, op string) error

	calls      atomic.Int64
	running    atomic.Int64
	maxRunning atomic.Int64
}

func (f *fake) do(ctx context.Context, op string) error {
	f.calls.Add(1)
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.maxRunning.Load()
		if n <= m || f.maxRunning.CompareAndSwap(m, n) {
			break
		}
	}
	if f.respond == nil {
		return nil
	}
	return f.respond(ctx, op)
}

func (f *fake) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := f.do(ctx, "get"); err != nil {
		return nil, false, err
	}
	return []byte("value of " + key), true, nil
}

func (f *fake) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return f.do(ctx, "set")
}

func (f *fake) Delete(ctx context.Context, key string) (bool, error) {
	err := f.do(ctx, "delete")
	return err == nil, err
}

func (f *fake) Exists(ctx context.Context, key string) (bool, error) {
	err := f.do(ctx, "exists")
	return err == nil, err
}

func (f *fake) Health(ctx context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{Healthy: true, Backend: "fake", Details: map[string]string{"shards": "1"}}, nil
}

// Errors of each kind, as a backend would return them.
var (
	errTransient = backend.NewError(backend.KindTransient, "fake", "get", "k", errors.New("connection refused"))
	errTimeout   = backend.NewError(backend.KindTimeout, "fake", "get", "k", errors.New("i/o timeout"))
	errPermanent = backend.NewError(backend.KindPermanent, "fake", "get", "k", errors.New("WRONGTYPE"))
	errAuth      = backend.NewError(backend.KindAuthentication, "fake", "get", "k", errors.New("NOAUTH"))
	errBadTTL    = backend.NewError(backend.KindPermanent, "fake", "set", "k", backend.ErrInvalidTTL)
	errPlain     = errors.New("an error that is not a *backend.Error")
)

// script returns a respond function that hands out errs in turn, then nil.
func script(errs ...error) func(context.Context, string) error {
	var mu sync.Mutex
	return func(context.Context, string) error {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) == 0 {
			return nil
		}
		err := errs[0]
		errs = errs[1:]
		return err
	}
}

// always returns a respond function that fails every call with err.
func always(err error) func(context.Context, string) error {
	return func(context.Context, string) error { return err }
}

// gate blocks the calls that reach it until open is called; it is a respond function
// for tests that need calls in flight. It must be created inside the synctest bubble
// that uses it.
type gate struct {
	ch   chan struct{}
	once sync.Once
	err  error // what the calls return once released
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) respond(ctx context.Context, _ string) error {
	select {
	case <-g.ch:
		return g.err
	case <-ctx.Done():
		return backend.ContextError("fake", "get", "", ctx.Err())
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// only returns options with every guard but the ones named off.
func only(retry, breaker, backpressure bool) Options {
	var o Options
	o.Retry.Disabled = !retry
	o.Breaker.Disabled = !breaker
	o.Backpressure.Disabled = !backpressure
	return o
}

func mustNew(t testing.TB, inner backend.Backend, opts Options) Backend {
	t.Helper()
	b, err := New(inner, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}
