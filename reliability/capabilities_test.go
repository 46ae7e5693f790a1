package reliability

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Capability parts for fakes; each counts its calls in the shared fake.
type (
	fakeTTL   struct{ f *fake }
	fakeBatch struct{ f *fake }
	fakeLock  struct {
		f     *fake
		locks *atomic.Int64
	}
	fakeInv struct{ subs *atomic.Int64 }
)

func (p fakeTTL) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	return 42 * time.Second, true, p.f.do(ctx, "ttl")
}

func (p fakeTTL) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return true, p.f.do(ctx, "refresh_ttl")
}

func (p fakeBatch) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := p.f.do(ctx, "get_many"); err != nil {
		return nil, err
	}
	m := make(map[string][]byte, len(keys))
	for _, k := range keys {
		m[k] = []byte(k)
	}
	return m, nil
}

func (p fakeLock) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	p.locks.Add(1)
	return "lock-id", true, nil
}

func (p fakeLock) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	p.locks.Add(1)
	return lockID == "lock-id", nil
}

func (p fakeInv) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	p.subs.Add(1)
	return func() {}, nil
}

// capabilityFakes returns one backend per subset of the four capabilities, named by the
// letters of the subset (T TTLInspector, B BatchGetter, L Locker, I Invalidator), each
// an anonymous struct embedding exactly those parts.
func capabilityFakes(f *fake, locks, subs *atomic.Int64) map[string]backend.Backend {
	t, b, l, i := fakeTTL{f}, fakeBatch{f}, fakeLock{f, locks}, fakeInv{subs}
	return map[string]backend.Backend{
		"": f,
		"T": struct {
			*fake
			fakeTTL
		}{f, t},
		"B": struct {
			*fake
			fakeBatch
		}{f, b},
		"TB": struct {
			*fake
			fakeTTL
			fakeBatch
		}{f, t, b},
		"L": struct {
			*fake
			fakeLock
		}{f, l},
		"TL": struct {
			*fake
			fakeTTL
			fakeLock
		}{f, t, l},
		"BL": struct {
			*fake
			fakeBatch
			fakeLock
		}{f, b, l},
		"TBL": struct {
			*fake
			fakeTTL
			fakeBatch
			fakeLock
		}{f, t, b, l},
		"I": struct {
			*fake
			fakeInv
		}{f, i},
		"TI": struct {
			*fake
			fakeTTL
			fakeInv
		}{f, t, i},
		"BI": struct {
			*fake
			fakeBatch
			fakeInv
		}{f, b, i},
		"TBI": struct {
			*fake
			fakeTTL
			fakeBatch
			fakeInv
		}{f, t, b, i},
		"LI": struct {
			*fake
			fakeLock
			fakeInv
		}{f, l, i},
		"TLI": struct {
			*fake
			fakeTTL
			fakeLock
			fakeInv
		}{f, t, l, i},
		"BLI": struct {
			*fake
			fakeBatch
			fakeLock
			fakeInv
		}{f, b, l, i},
		"TBLI": struct {
			*fake
			fakeTTL
			fakeBatch
			fakeLock
			fakeInv
		}{f, t, b, l, i},
	}
}

func TestCapabilitiesAreTruthful(t *testing.T) {
	fakes := capabilityFakes(&fake{}, new(atomic.Int64), new(atomic.Int64))
	if len(fakes) != 16 {
		t.Fatalf("%d capability sets, want all 16", len(fakes))
	}
	for name, inner := range fakes {
		t.Run("set="+name, func(t *testing.T) {
			w := mustNew(t, inner, Options{})
			_, isT := w.(backend.TTLInspector)
			_, isB := w.(backend.BatchGetter)
			_, isL := w.(backend.Locker)
			_, isI := w.(backend.Invalidator)
			for _, c := range []struct {
				letter string
				has    bool
			}{{"T", isT}, {"B", isB}, {"L", isL}, {"I", isI}} {
				if want := strings.Contains(name, c.letter); c.has != want {
					t.Errorf("wrapper of %q: capability %s is %v, want %v", name, c.letter, c.has, want)
				}
			}
			if w.Unwrap() != inner {
				t.Error("Unwrap does not return the wrapped backend")
			}
		})
	}
}

func TestCapabilitiesRouting(t *testing.T) {
	// TTL, RefreshTTL and GetMany go through the stack (counted, refused while the
	// circuit is open); locks and subscriptions go straight to the backend.
	f := &fake{}
	locks, subs := new(atomic.Int64), new(atomic.Int64)
	inner := capabilityFakes(f, locks, subs)["TBLI"]
	opts := only(false, true, false)
	opts.Breaker.FailureThreshold = 1
	opts.Breaker.OpenDuration = time.Hour
	w := mustNew(t, inner, opts)
	ctx := context.Background()

	if d, ok, err := w.(backend.TTLInspector).TTL(ctx, "k"); d != 42*time.Second || !ok || err != nil {
		t.Fatalf("TTL = %v, %v, %v", d, ok, err)
	}
	if ok, err := w.(backend.TTLInspector).RefreshTTL(ctx, "k", time.Minute); !ok || err != nil {
		t.Fatalf("RefreshTTL = %v, %v", ok, err)
	}
	if m, err := w.(backend.BatchGetter).GetMany(ctx, []string{"a", "b"}); len(m) != 2 || err != nil {
		t.Fatalf("GetMany = %v, %v", m, err)
	}
	if s := w.Stats(); s.Calls != 3 {
		t.Fatalf("Stats().Calls = %d, want 3", s.Calls)
	}

	f.respond = always(errTransient)
	_ = get(w)
	wantState(t, w, StateOpen)
	f.respond = nil
	before := f.calls.Load()
	if _, _, err := w.(backend.TTLInspector).TTL(ctx, "k"); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("TTL while open: %v", err)
	}
	if _, err := w.(backend.TTLInspector).RefreshTTL(ctx, "k", time.Minute); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("RefreshTTL while open: %v", err)
	}
	if _, err := w.(backend.BatchGetter).GetMany(ctx, []string{"a"}); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("GetMany while open: %v", err)
	}
	if f.calls.Load() != before {
		t.Fatal("a capability call reached the backend while the circuit was open")
	}

	// Bypassing operations still work while the circuit is open, and are not counted.
	calls := w.Stats().Calls
	id, ok, err := w.(backend.Locker).AcquireLock(ctx, "k", time.Second)
	if !ok || err != nil {
		t.Fatalf("AcquireLock while open = %q, %v, %v", id, ok, err)
	}
	if ok, err := w.(backend.Locker).ReleaseLock(ctx, "k", id); !ok || err != nil {
		t.Fatalf("ReleaseLock while open = %v, %v", ok, err)
	}
	stop, err := w.(backend.Invalidator).SubscribeInvalidations(ctx, "p", func(backend.Invalidation) {})
	if err != nil {
		t.Fatalf("SubscribeInvalidations while open: %v", err)
	}
	stop()
	h, err := w.Health(ctx)
	if err != nil || !h.Healthy || h.Backend != "fake" {
		t.Fatalf("Health while open = %+v, %v", h, err)
	}
	if h.Details["circuit_breaker"] != "open" || h.Details["shards"] != "1" {
		t.Fatalf("Health details = %v, want the backend's and circuit_breaker=open", h.Details)
	}
	if locks.Load() != 2 || subs.Load() != 1 {
		t.Fatalf("lock calls %d, subscriptions %d; want 2 and 1", locks.Load(), subs.Load())
	}
	if got := w.Stats().Calls; got != calls {
		t.Fatalf("bypassing calls were counted: Calls %d -> %d", calls, got)
	}
}

func TestHealthDoesNotChangeTheBackendsDetails(t *testing.T) {
	details := map[string]string{"version": "7"}
	inner := &detailed{details: details}
	w := mustNew(t, inner, Options{})
	h, err := w.Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.Details["circuit_breaker"] != "closed" || h.Details["version"] != "7" {
		t.Fatalf("details %v", h.Details)
	}
	if _, ok := details["circuit_breaker"]; ok {
		t.Fatal("Health wrote into the backend's own Details map")
	}
	// With the breaker off, the backend's answer is passed on untouched.
	w = mustNew(t, inner, only(true, false, true))
	if h, _ := w.Health(context.Background()); len(h.Details) != 1 {
		t.Fatalf("details %v with the breaker off", h.Details)
	}
}

type detailed struct {
	fake
	details map[string]string
}

func (d *detailed) Health(context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{Healthy: true, Backend: "detailed", Details: d.details}, nil
}
