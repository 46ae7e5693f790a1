package cachekit

import (
	"context"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// constBackend answers every Get with the same stored bytes and accepts every write,
// allocating nothing, so that an allocation count of a client call over it is the
// client's own.
type constBackend struct{ stored []byte }

func (b constBackend) Get(context.Context, string) ([]byte, bool, error) { return b.stored, true, nil }
func (constBackend) Set(context.Context, string, []byte, time.Duration) error {
	return nil
}
func (constBackend) Delete(context.Context, string) (bool, error) { return true, nil }
func (constBackend) Exists(context.Context, string) (bool, error) { return true, nil }
func (constBackend) Health(context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{Backend: "const", Healthy: true}, nil
}

// TestL2Allocations: with the L1 off, a Get allocates what the backend's Get and the
// decode into a fresh destination allocate, plus the namespaced storage key and nothing
// else (a backend that reports no freshness costs no freshness sink); a Set allocates
// what the encode and the backend's Set allocate, plus the storage key and the origin
// context (backend.WithOrigin: the context and the boxed id). The reliability stack of
// the production preset adds nothing to either.
func TestL2Allocations(t *testing.T) {
	ctx := context.Background()
	stored, err := codec.Marshal(int64(1) << 40)
	if err != nil {
		t.Fatal(err)
	}
	be := constBackend{stored: stored}
	bareGet := testing.AllocsPerRun(200, func() {
		data, _, _ := be.Get(ctx, "app:k")
		v := new(int64)
		if err := codec.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	})
	bareSet := testing.AllocsPerRun(200, func() {
		data, err := codec.Marshal(int64(7))
		if err != nil {
			t.Fatal(err)
		}
		_ = be.Set(ctx, "app:k", data, time.Minute)
	})
	for name, o := range map[string]Options{"plain": {}, "production preset": ProductionOptions()} {
		t.Run(name, func(t *testing.T) {
			o.Backend, o.Namespace, o.L1, o.Env = be, "app", L1Options{Disabled: true}, noEnv
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			get := testing.AllocsPerRun(200, func() {
				if v, found, err := Get[int64](ctx, c, "k"); err != nil || !found || v != 1<<40 {
					t.Fatalf("Get = %v, %v, %v", v, found, err)
				}
			})
			if want := bareGet + 1; get != want {
				t.Errorf("Get: %v allocations, want %v (backend Get and decode: %v, plus the storage key)", get, want, bareGet)
			}
			set := testing.AllocsPerRun(200, func() {
				if err := c.Set(ctx, "k", int64(7)); err != nil {
					t.Fatal(err)
				}
			})
			if want := bareSet + 3; set != want {
				t.Errorf("Set: %v allocations, want %v (encode and backend Set: %v, plus the storage key and the origin context)", set, want, bareSet)
			}
		})
	}
}
