package backendtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// contextCall is one method called with a context that is already done.
type contextCall struct {
	name  string
	needs capability
	call  func(ctx context.Context, b backend.Backend, key string) error
}

// contextCalls covers every method of the contract and of the capabilities.
var contextCalls = []contextCall{
	{"Get", capNone, func(ctx context.Context, b backend.Backend, key string) error {
		_, _, err := b.Get(ctx, key)
		return err
	}},
	{"Set", capNone, func(ctx context.Context, b backend.Backend, key string) error {
		return b.Set(ctx, key, []byte("written with a done context"), defaultTTL)
	}},
	{"Delete", capNone, func(ctx context.Context, b backend.Backend, key string) error {
		_, err := b.Delete(ctx, key)
		return err
	}},
	{"Exists", capNone, func(ctx context.Context, b backend.Backend, key string) error {
		_, err := b.Exists(ctx, key)
		return err
	}},
	{"Health", capNone, func(ctx context.Context, b backend.Backend, _ string) error {
		_, err := b.Health(ctx)
		return err
	}},
	{"TTL", capTTLInspector, func(ctx context.Context, b backend.Backend, key string) error {
		_, _, err := b.(backend.TTLInspector).TTL(ctx, key)
		return err
	}},
	{"RefreshTTL", capTTLInspector, func(ctx context.Context, b backend.Backend, key string) error {
		_, err := b.(backend.TTLInspector).RefreshTTL(ctx, key, time.Second)
		return err
	}},
	{"AcquireLock", capLocker, func(ctx context.Context, b backend.Backend, key string) error {
		_, _, err := b.(backend.Locker).AcquireLock(ctx, key, defaultTTL)
		return err
	}},
	{"ReleaseLock", capLocker, func(ctx context.Context, b backend.Backend, key string) error {
		_, err := b.(backend.Locker).ReleaseLock(ctx, key, "no-such-lock-id")
		return err
	}},
	{"SubscribeInvalidations", capInvalidator, func(ctx context.Context, b backend.Backend, key string) error {
		stop, err := b.(backend.Invalidator).SubscribeInvalidations(ctx, key, func(backend.Invalidation) {})
		if err == nil && stop != nil {
			stop()
		}
		return err
	}},
	{"GetMany", capBatchGetter, func(ctx context.Context, b backend.Backend, key string) error {
		_, err := b.(backend.BatchGetter).GetMany(ctx, []string{key})
		return err
	}},
}

// checkContextCanceled: every method called with a cancelled context fails with an
// error matching context.Canceled, and changes nothing.
func checkContextCanceled(tb testing.TB, e env) {
	ctx, cancel := context.WithCancel(ctxOf(tb))
	cancel()
	checkDoneContext(tb, e, ctx, context.Canceled)
}

// checkContextDeadlineExceeded: every method called with a context past its deadline
// fails with an error matching context.DeadlineExceeded, and changes nothing.
func checkContextDeadlineExceeded(tb testing.TB, e env) {
	ctx, cancel := context.WithDeadline(ctxOf(tb), time.Now().Add(-time.Second))
	defer cancel()
	checkDoneContext(tb, e, ctx, context.DeadlineExceeded)
}

func checkDoneContext(tb testing.TB, e env, ctx context.Context, want error) {
	key := UniqueKey(tb)
	absent := key + ":absent"
	mustSet(tb, e.b, key, []byte("kept"), defaultTTL)
	for _, c := range contextCalls {
		if !c.needs.implementedBy(e.b) {
			continue
		}
		for _, k := range []string{key, absent} {
			err := c.call(ctx, e.b, k)
			if !errors.Is(err, want) {
				tb.Errorf("%s(%q) with a done context: error = %v, want one matching %v", c.name, k, err, want)
				continue
			}
			var be *backend.Error
			if !errors.As(err, &be) {
				tb.Errorf("%s(%q) with a done context: error %v (%T) is not a *backend.Error", c.name, k, err, err)
			}
		}
	}
	wantValue(tb, e.b, key, []byte("kept"))
	wantMiss(tb, e.b, absent)
	if _, ok := e.b.(backend.Locker); ok {
		wantMiss(tb, e.b, backend.LockKey(key))
		wantMiss(tb, e.b, backend.LockKey(absent))
	}
}
