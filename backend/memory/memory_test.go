package memory

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// suiteOptions states the memory backend's facts for the conformance suite.
var suiteOptions = backendtest.Options{
	MaxValueSize:   DefaultMaxValueSize,
	TTLResolution:  time.Millisecond, // expiry is checked against the clock on every call
	LocksAreKeys:   true,
	ReportsOrigins: true,
}

func newBackend(t testing.TB, opts Options) *Backend {
	t.Helper()
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// TestConformance runs backendtest against a fresh backend per check and against one
// backend shared by every check, with a janitor running often enough to race with them.
func TestConformance(t *testing.T) {
	t.Run("fresh", func(t *testing.T) {
		t.Parallel()
		backendtest.Run(t, func(t *testing.T) backend.Backend { return newBackend(t, Options{}) }, suiteOptions)
	})
	t.Run("shared", func(t *testing.T) {
		t.Parallel()
		shared := newBackend(t, Options{CleanupInterval: 10 * time.Millisecond})
		opts := suiteOptions
		opts.SharedStore = true
		backendtest.Run(t, func(*testing.T) backend.Backend { return shared }, opts)
	})
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
	}{
		{"negative MaxEntries", Options{MaxEntries: -1}},
		{"negative MaxValueSize", Options{MaxValueSize: -1}},
		{"negative InvalidationBuffer", Options{InvalidationBuffer: -5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := New(tt.opts)
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New(%+v) error = %v, want one wrapping ErrInvalidOptions", tt.opts, err)
			}
			if b != nil {
				t.Fatalf("New(%+v) returned a backend along with its error", tt.opts)
			}
		})
	}
}

// TestDefaults checks the documented defaults through behaviour: the value-size limit
// through Set, the entry bound through Health.
func TestDefaults(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{})
	ctx := t.Context()
	if err := b.Set(ctx, "k", make([]byte, 8<<20), time.Minute); err != nil {
		t.Fatalf("Set of 8 MiB = %v, want accepted by default", err)
	}
	if err := b.Set(ctx, "k", make([]byte, 8<<20+1), time.Minute); !errors.Is(err, backend.ErrValueTooLarge) {
		t.Fatalf("Set of 8 MiB + 1 = %v, want ErrValueTooLarge", err)
	}
	h, err := b.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Details["max_entries"]; got != "100000" {
		t.Fatalf("Health max_entries = %q, want the documented default 100000", got)
	}
}

func TestValueSizeLimit(t *testing.T) {
	t.Parallel()
	b := newBackend(t, Options{MaxValueSize: 10})
	ctx := t.Context()
	for _, tt := range []struct {
		size int
		ok   bool
	}{{0, true}, {10, true}, {11, false}, {1 << 20, false}} {
		err := b.Set(ctx, "k"+strconv.Itoa(tt.size), make([]byte, tt.size), time.Minute)
		if tt.ok != (err == nil) {
			t.Errorf("Set of %d bytes with MaxValueSize 10 = %v, want ok %v", tt.size, err, tt.ok)
		}
		if !tt.ok {
			var be *backend.Error
			if !errors.As(err, &be) || be.Kind != backend.KindPermanent || be.Op != "set" {
				t.Errorf("Set of %d bytes: error %#v, want a permanent *backend.Error for op set", tt.size, err)
			}
		}
	}
}

// TestClosed checks that every method fails with ErrClosed after Close, that Health
// reports unhealthy, and that Close may be repeated.
func TestClosed(t *testing.T) {
	t.Parallel()
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	stop, err := b.SubscribeInvalidations(ctx, "", func(backend.Invalidation) {})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := b.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	stop() // after Close: must neither block nor panic

	calls := map[string]func() error{
		"Get":         func() error { _, _, err := b.Get(ctx, "k"); return err },
		"Set":         func() error { return b.Set(ctx, "k", nil, time.Second) },
		"Delete":      func() error { _, err := b.Delete(ctx, "k"); return err },
		"Exists":      func() error { _, err := b.Exists(ctx, "k"); return err },
		"Health":      func() error { _, err := b.Health(ctx); return err },
		"TTL":         func() error { _, _, err := b.TTL(ctx, "k"); return err },
		"RefreshTTL":  func() error { _, err := b.RefreshTTL(ctx, "k", time.Second); return err },
		"AcquireLock": func() error { _, _, err := b.AcquireLock(ctx, "k", time.Second); return err },
		"ReleaseLock": func() error { _, err := b.ReleaseLock(ctx, "k", "id"); return err },
		"GetMany":     func() error { _, err := b.GetMany(ctx, []string{"k"}); return err },
		"SubscribeInvalidations": func() error {
			_, err := b.SubscribeInvalidations(ctx, "", func(backend.Invalidation) {})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, backend.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if h, _ := b.Health(ctx); h.Healthy || h.Backend != "memory" {
		t.Errorf("Health after Close = %+v, want unhealthy memory", h)
	}
}

// TestConcurrentWithJanitorAndEviction hammers a small backend from several goroutines
// while the janitor and eviction run, for the race detector; the bound must hold at
// the end.
func TestConcurrentWithJanitorAndEviction(t *testing.T) {
	t.Parallel()
	const max = 50
	b := newBackend(t, Options{MaxEntries: max, CleanupInterval: time.Millisecond})
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				key := strconv.Itoa(w*1000 + i%120)
				if err := b.Set(ctx, key, []byte(key), time.Second); err != nil {
					t.Error(err)
					return
				}
				if v, found, err := b.Get(ctx, key); err != nil || (found && string(v) != key) {
					t.Errorf("Get(%q) = (%q, %v, %v)", key, v, found, err)
					return
				}
				if i%10 == 0 {
					if id, ok, err := b.AcquireLock(ctx, key, time.Second); err != nil {
						t.Error(err)
					} else if ok {
						_, _ = b.ReleaseLock(ctx, key, id)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := b.Len(); n > max {
		t.Fatalf("Len = %d after all writers returned, want at most MaxEntries %d", n, max)
	}
}
