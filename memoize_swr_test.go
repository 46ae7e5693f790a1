package cachekit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// versioned is a loader whose every run returns the next version, so a test can tell
// which run a value came from. Runs after the first block until gate is closed (or
// receives), when gate is not nil.
type versioned struct {
	runs    atomic.Int64
	gate    chan struct{}
	started chan struct{} // receives once per blocked run, when it starts
}

func (v *versioned) load(ctx context.Context, key string) (string, error) {
	n := v.runs.Add(1)
	if n > 1 && v.gate != nil {
		select {
		case v.started <- struct{}{}:
		default: // more runs than the test expects: it fails on the count
		}
		select {
		case <-v.gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return fmt.Sprintf("%s@v%d", key, n), nil
}

func newVersioned() *versioned {
	return &versioned{gate: make(chan struct{}), started: make(chan struct{}, 100)}
}

// waitRefreshes waits until the client's background refreshes are done.
func waitRefreshes(c *Client) { c.memo.refreshes.Wait() }

func TestMemoizeServesStaleAndRefreshesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _, clk := newMemoClient(t, Options{})
	v := newVersioned()
	get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))

	if got, err := get(ctx, "a"); err != nil || got != "a@v1" {
		t.Fatalf("first call = %q, %v", got, err)
	}
	// Below the lowest threshold (100 s x 0.5 x 0.9 = 45 s): fresh, no refresh.
	clk.Advance(44 * time.Second)
	if got, _ := get(ctx, "a"); got != "a@v1" || v.runs.Load() != 1 {
		t.Fatalf("at 44 s: %q after %d runs, want a@v1 fresh", got, v.runs.Load())
	}
	// Above the highest (55 s): stale. Every call returns the stale value at once,
	// while the one refresh is blocked in the loader.
	clk.Advance(12 * time.Second)
	const callers = 200
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for range callers {
		wg.Go(func() {
			if got, err := get(ctx, "a"); err != nil || got != "a@v1" {
				wrong.Add(1)
			}
		})
	}
	wg.Wait() // returns although the refresh is still blocked: nobody waited for it
	<-v.started
	if wrong.Load() != 0 {
		t.Errorf("%d stale calls got something else than a@v1", wrong.Load())
	}
	if s := c.Stats().Memo; s.Refreshes != 1 || s.StaleServed != callers {
		t.Errorf("Refreshes %d, StaleServed %d: want 1 and %d", s.Refreshes, s.StaleServed, callers)
	}
	close(v.gate)
	waitRefreshes(c)
	if got, _ := get(ctx, "a"); got != "a@v2" {
		t.Errorf("after the refresh: %q, want a@v2", got)
	}
	if n := v.runs.Load(); n != 2 {
		t.Errorf("loader ran %d times, want 2", n)
	}
	// The refreshed value is fresh again for a new half-life.
	clk.Advance(44 * time.Second)
	if got, _ := get(ctx, "a"); got != "a@v2" || c.Stats().Memo.Refreshes != 1 {
		t.Errorf("after 44 s more: %q, %d refreshes", got, c.Stats().Memo.Refreshes)
	}
}

// TestMemoizeStaleThresholdJitter checks the threshold's bounds over many entries:
// TTL x ratio x [0.9, 1.1).
func TestMemoizeStaleThresholdJitter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name          string
		opts          []MemoOption
		fresh, stale  time.Duration
		neverStale    bool
		wantRefreshes bool
	}{
		{"default ratio", nil, 44 * time.Second, 56 * time.Second, false, true},
		{"ratio 0.8", []MemoOption{MemoSWR(0.8)}, 71 * time.Second, 89 * time.Second, false, true},
		{"off", []MemoOption{MemoNoSWR()}, 99 * time.Second, 99 * time.Second, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, clk := newMemoClient(t, Options{L1: L1Options{Capacity: 1000}})
			v := &versioned{}
			get := mustMemoize1(t, c, "op", v.load, append(tt.opts, MemoTTL(100*time.Second))...)
			const n = 200
			for i := range n {
				if _, err := get(ctx, fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(tt.fresh)
			for i := range n {
				_, _ = get(ctx, fmt.Sprint(i))
			}
			if s := c.Stats().Memo; s.StaleServed != 0 {
				t.Fatalf("at %v: %d stale, want none", tt.fresh, s.StaleServed)
			}
			clk.Advance(tt.stale - tt.fresh)
			for i := range n {
				_, _ = get(ctx, fmt.Sprint(i))
			}
			waitRefreshes(c)
			s := c.Stats().Memo
			if tt.neverStale && (s.StaleServed != 0 || s.Refreshes != 0) {
				t.Errorf("SWR off: %d stale, %d refreshes", s.StaleServed, s.Refreshes)
			}
			if tt.wantRefreshes && (s.StaleServed != n || s.Refreshes != n) {
				t.Errorf("at %v: %d stale, %d refreshes, want %d each", tt.stale, s.StaleServed, s.Refreshes, n)
			}
		})
	}
}

func TestMemoizeRefreshLosesToNewerWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, newer := range []string{"set", "delete", "set by another process"} {
		t.Run(newer, func(t *testing.T) {
			t.Parallel()
			c, fb, clk := newMemoClient(t, Options{})
			v := newVersioned()
			get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))
			if _, err := get(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			storage := interopKey(t, "app", "op", "a")
			key := strings.TrimPrefix(storage, "app:")

			clk.Advance(60 * time.Second)
			if got, _ := get(ctx, "a"); got != "a@v1" {
				t.Fatalf("stale call = %q", got)
			}
			<-v.started // the refresh runs, from a generation older than what follows
			switch newer {
			case "set":
				if err := c.Set(ctx, key, "written by Set"); err != nil {
					t.Fatal(err)
				}
			case "delete":
				if _, err := c.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
			case "set by another process":
				fb.put(storage, []byte("\xaewritten by Set"))
				c.onInvalidation(invalidationOf(storage))
			}
			close(v.gate)
			waitRefreshes(c)

			raw, found := fb.raw(storage)
			switch newer {
			case "delete":
				if found {
					t.Errorf("the refresh re-created the deleted entry: %q", raw)
				}
			default:
				if string(raw) != "\xaewritten by Set" {
					t.Errorf("backend holds %q, want the newer Set's value", raw)
				}
				if got, _ := get(ctx, "a"); got != "written by Set" {
					t.Errorf("memoized call = %q, want the newer Set's value", got)
				}
			}
			if s := c.Stats().Memo; s.WritesSkipped != 1 {
				t.Errorf("WritesSkipped = %d, want 1", s.WritesSkipped)
			}
		})
	}
}

func TestMemoizeAgeOfBackendValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		remaining time.Duration // of a 100 s entry another process wrote
		wantStale bool
	}{
		{"young", 90 * time.Second, false},
		{"just below the lowest threshold", 56 * time.Second, false},
		{"past the highest threshold", 44 * time.Second, true},
		{"nearly expired", 2 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, fb, clk := newMemoClient(t, Options{})
			v := &versioned{}
			get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))
			storage := interopKey(t, "app", "op", "a")
			fb.mu.Lock()
			fb.entries[storage] = fakeEntry{value: []byte("\xa5other"), ttl: 100 * time.Second, expires: clk.Time().Add(tt.remaining)}
			fb.mu.Unlock()
			if got, err := get(ctx, "a"); err != nil || got != "other" {
				t.Fatalf("get = %q, %v", got, err)
			}
			waitRefreshes(c)
			s := c.Stats().Memo
			if stale := s.StaleServed == 1; stale != tt.wantStale {
				t.Fatalf("stale = %v, want %v (%+v)", stale, tt.wantStale, s)
			}
			if tt.wantStale {
				if got, _ := get(ctx, "a"); got != "a@v1" || s.Refreshes != 1 {
					t.Errorf("after the refresh: %q, %d refreshes", got, s.Refreshes)
				}
				return
			}
			// A fresh backend value enters the L1 only until it turns stale: from then
			// on the backend is asked again, and finds it stale.
			e, ok := c.l1.Get(strings.TrimPrefix(storage, "app:"))
			if !ok {
				t.Fatal("the value did not enter the L1")
			}
			threshold := time.Duration(float64(100*time.Second) * 0.5 * keyJitter(storage))
			if max := threshold - (100*time.Second - tt.remaining); e.TTL() > max || e.TTL() > c.backfillTTL {
				t.Errorf("L1 lifetime %v, want at most %v and the backfill %v", e.TTL(), max, c.backfillTTL)
			}
			clk.Advance(tt.remaining - 44*time.Second)
			if got, _ := get(ctx, "a"); got != "other" {
				t.Fatalf("later call = %q", got)
			}
			waitRefreshes(c)
			if got, _ := get(ctx, "a"); got != "a@v1" || c.Stats().Memo.Refreshes != 1 {
				t.Errorf("once stale: %q after %d refreshes, want the refresh", got, c.Stats().Memo.Refreshes)
			}
		})
	}
}

func TestCloseWaitsForRefreshes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _, clk := newMemoClient(t, Options{})
	v := newVersioned()
	get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))
	if _, err := get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(60 * time.Second)
	if _, err := get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	<-v.started
	// The refresh is blocked in the loader; Close cancels its context and waits for
	// it (goleak checks that nothing is left after the tests).
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if v.runs.Load() != 2 {
		t.Errorf("runs = %d", v.runs.Load())
	}
	select {
	case v.gate <- struct{}{}:
		t.Error("the refresh was still waiting after Close")
	default:
	}
}

// invalidationOf is the invalidation another process's write of storageKey sends.
func invalidationOf(storageKey string) backend.Invalidation {
	return backend.Invalidation{Key: storageKey, Origin: "another process"}
}

// TestMinimalPresetHasNoSWR follows the minimal preset (spec/intent-presets.md): no
// stale-while-revalidate, so a value past half its TTL is served as it is, with no
// refresh, until it expires; MemoSWR on the memoizer turns it back on.
func TestMinimalPresetHasNoSWR(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := MinimalOptions()
	if !o.NoSWR {
		t.Fatal("MinimalOptions().NoSWR = false")
	}
	c, _, clk := newMemoClient(t, o)
	v := &versioned{}
	get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))
	withSWR := mustMemoize1(t, c, "op2", v.load, MemoTTL(100*time.Second), MemoSWR(0.5))
	if _, err := get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := withSWR(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(90 * time.Second) // past every SWR threshold, before the TTL
	if got, _ := get(ctx, "a"); got != "a@v1" {
		t.Fatalf("at 90 s: %q, want a@v1", got)
	}
	if got, _ := withSWR(ctx, "b"); got != "b@v2" {
		t.Fatalf("MemoSWR at 90 s served %q, want the stale b@v2", got)
	}
	waitRefreshes(c)
	if s := c.Stats().Memo; s.Refreshes != 1 || s.StaleServed != 1 {
		t.Errorf("Refreshes %d, StaleServed %d: want exactly the MemoSWR memoizer's 1 and 1", s.Refreshes, s.StaleServed)
	}
	if n := v.runs.Load(); n != 3 {
		t.Errorf("loader ran %d times, want 3 (a, b, b's refresh)", n)
	}
}
