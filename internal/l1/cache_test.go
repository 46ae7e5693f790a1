package l1

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ now atomic.Int64 }

func (f *fakeClock) NowNano() int64          { return f.now.Load() }
func (f *fakeClock) Advance(d time.Duration) { f.now.Add(int64(d)) }

func newCache(t *testing.T, o Options) *Cache {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func newFakeCache(t *testing.T, o Options) (*Cache, *fakeClock) {
	t.Helper()
	clk := &fakeClock{}
	clk.now.Store(int64(time.Hour)) // away from zero
	o.Clock = clk
	return newCache(t, o), clk
}

func store(t *testing.T, c *Cache, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if !c.Store(key, value, ttl, c.Generation(key)) {
		t.Fatalf("Store(%q) = false", key)
	}
}

func TestNewRejectsNegativeSizes(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Capacity: -1}, {MaxBytes: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) = nil error", o)
		}
	}
}

func TestStoreGetExpire(t *testing.T) {
	t.Parallel()
	c, clk := newFakeCache(t, Options{})
	store(t, c, "k", []byte("v"), 10*time.Second)
	e, ok := c.Get("k")
	if !ok || !bytes.Equal(e.Value, []byte("v")) {
		t.Fatalf("Get = %v, %v", e, ok)
	}
	if e.TTL() != 10*time.Second {
		t.Errorf("TTL = %v, want 10s", e.TTL())
	}
	clk.Advance(9 * time.Second)
	if e, ok := c.Get("k"); !ok || e.Remaining(c.Now()) != time.Second {
		t.Fatalf("after 9s: ok=%v remaining=%v, want live with 1s", ok, e.Remaining(c.Now()))
	}
	clk.Advance(time.Second)
	if _, ok := c.Get("k"); ok {
		t.Fatal("entry still returned at its expiry time")
	}
}

func TestPerEntryTTL(t *testing.T) {
	t.Parallel()
	c, clk := newFakeCache(t, Options{})
	store(t, c, "short", []byte("a"), time.Second)
	store(t, c, "long", []byte("b"), time.Minute)
	clk.Advance(2 * time.Second)
	if _, ok := c.Get("short"); ok {
		t.Error("short-lived entry outlived its TTL")
	}
	if _, ok := c.Get("long"); !ok {
		t.Error("long-lived entry expired with the short one")
	}
	// A replacement carries its own lifetime.
	store(t, c, "long", []byte("c"), time.Second)
	clk.Advance(2 * time.Second)
	if _, ok := c.Get("long"); ok {
		t.Error("replacement kept the old entry's lifetime")
	}
}

func TestRefusedValues(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{MaxBytes: 100})
	tests := []struct {
		name  string
		value []byte
		ttl   time.Duration
	}{
		{"zero ttl", []byte("v"), 0},
		{"negative ttl", []byte("v"), -time.Second},
		{"larger than the byte budget", make([]byte, 100), time.Minute},
	}
	for _, tt := range tests {
		if c.Backfill("k", tt.value, tt.ttl, c.Generation("k")) {
			t.Errorf("%s: Backfill stored it", tt.name)
		}
		if c.Store("k", tt.value, tt.ttl, c.Generation("k")) {
			t.Errorf("%s: Store stored it", tt.name)
		}
	}
	if _, ok := c.Get("k"); ok {
		t.Error("a refused value is in the cache")
	}
}

// TestInvalidationBeatsBackfill is the deterministic form of the race between a reader
// that missed and an invalidation arriving while it read the level below.
func TestInvalidationBeatsBackfill(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	gen := c.Generation("k") // reader: before the L2 read
	c.Invalidate("k")        // another writer changed the key meanwhile
	if c.Backfill("k", []byte("old"), time.Minute, gen) {
		t.Fatal("Backfill with a generation older than an invalidation stored the value")
	}
	if _, ok := c.Get("k"); ok {
		t.Fatal("stale value in the cache")
	}
	// Without a racing invalidation the backfill goes in.
	if !c.Backfill("k", []byte("new"), time.Minute, c.Generation("k")) {
		t.Fatal("Backfill with the current generation did not store")
	}
}

func TestWriteBeatsBackfill(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	readerGen := c.Generation("k")
	store(t, c, "k", []byte("written"), time.Minute)
	if c.Backfill("k", []byte("read before the write"), time.Minute, readerGen) {
		t.Fatal("a backfill older than a write replaced it")
	}
	if e, _ := c.Get("k"); string(e.Value) != "written" {
		t.Fatalf("Get = %q, want the written value", e.Value)
	}
}

func TestRacingStoresLeaveNoEntry(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	store(t, c, "k", []byte("v0"), time.Minute)
	genA := c.Generation("k")
	genB := c.Generation("k")
	// Both writers wrote the level below; B finishes first.
	if !c.Store("k", []byte("B"), time.Minute, genB) {
		t.Fatal("first Store refused")
	}
	if c.Store("k", []byte("A"), time.Minute, genA) {
		t.Fatal("second Store with a stale generation stored")
	}
	if e, ok := c.Get("k"); ok {
		t.Fatalf("entry %q left after racing writes; the level below may hold the other", e.Value)
	}
}

// TestSuspendedWritesRefused: while writes are suspended neither path stores, a Store
// removes the entry it would have replaced, reads go on, and after ResumeWrites a read
// that began while suspended still gives way to the flush that preceded the resumption.
func TestSuspendedWritesRefused(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	store(t, c, "kept", []byte("v"), time.Minute)
	store(t, c, "replaced", []byte("v"), time.Minute)
	if !c.SuspendWrites() {
		t.Fatal("SuspendWrites on an accepting cache reported it was already suspended")
	}
	if c.SuspendWrites() {
		t.Fatal("a second SuspendWrites reported a change")
	}
	if !c.WritesSuspended() {
		t.Fatal("WritesSuspended = false after SuspendWrites")
	}
	if c.Backfill("new", []byte("v"), time.Minute, c.Generation("new")) {
		t.Error("Backfill stored while suspended")
	}
	if c.Store("replaced", []byte("v2"), time.Minute, c.Generation("replaced")) {
		t.Error("Store stored while suspended")
	}
	if _, ok := c.Get("replaced"); ok {
		t.Error("a refused Store left the older entry behind")
	}
	if _, ok := c.Get("kept"); !ok {
		t.Error("SuspendWrites dropped an entry; only InvalidateAll should")
	}
	if c.Len() > 1 || c.Bytes() != int64(len("kept")+len("v")) {
		t.Errorf("Len = %d, Bytes = %d after refused writes", c.Len(), c.Bytes())
	}

	readGen := c.Generation("new") // a reader starts while suspended
	c.InvalidateAll()
	c.ResumeWrites()
	if c.WritesSuspended() {
		t.Fatal("WritesSuspended = true after ResumeWrites")
	}
	if c.Backfill("new", []byte("read while suspended"), time.Minute, readGen) {
		t.Error("a value read while suspended was stored after the resumption")
	}
	if !c.Backfill("new", []byte("v"), time.Minute, c.Generation("new")) {
		t.Error("Backfill refused after ResumeWrites")
	}
	store(t, c, "replaced", []byte("v3"), time.Minute)
}

func TestInvalidateRemoves(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	store(t, c, "k", []byte("v"), time.Minute)
	c.Invalidate("k")
	if _, ok := c.Get("k"); ok {
		t.Fatal("entry survived Invalidate")
	}
	c.Invalidate("absent") // no-op, no panic
}

func TestCapacityBound(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{Capacity: 100})
	for i := range 1000 {
		key := fmt.Sprint("k", i)
		c.Store(key, []byte("v"), time.Minute, c.Generation(key))
	}
	c.CleanUp()
	if n := c.Len(); n > 100 {
		t.Errorf("Len = %d, want <= 100", n)
	}
	if c.Evictions() < 900 {
		t.Errorf("Evictions = %d, want >= 900", c.Evictions())
	}
	if got, want := c.Bytes(), int64(c.Len()*len("k000v")); got > want || got <= 0 {
		t.Errorf("Bytes = %d for %d entries of at most 5 bytes", got, c.Len())
	}
}

func TestByteBudget(t *testing.T) {
	t.Parallel()
	t.Run("bytes bind", func(t *testing.T) {
		t.Parallel()
		c := newCache(t, Options{Capacity: 1000, MaxBytes: 10_000})
		value := make([]byte, 1000)
		for i := range 100 {
			key := fmt.Sprint("k", i)
			c.Store(key, value, time.Minute, c.Generation(key))
		}
		c.CleanUp()
		if b := c.Bytes(); b > 10_000 {
			t.Errorf("Bytes = %d, over the 10000 budget", b)
		}
		if c.Len() == 0 || c.Evictions() == 0 {
			t.Errorf("Len = %d, Evictions = %d; want some of each", c.Len(), c.Evictions())
		}
	})
	t.Run("entries bind", func(t *testing.T) {
		t.Parallel()
		c := newCache(t, Options{Capacity: 10, MaxBytes: 1 << 20})
		for i := range 100 {
			key := fmt.Sprint("k", i)
			c.Store(key, []byte("v"), time.Minute, c.Generation(key))
		}
		c.CleanUp()
		if n := c.Len(); n > 10 {
			t.Errorf("Len = %d, over the capacity of 10", n)
		}
	})
}

func TestBytesAccounting(t *testing.T) {
	t.Parallel()
	c, clk := newFakeCache(t, Options{})
	store(t, c, "ab", make([]byte, 10), time.Minute)
	if got := c.Bytes(); got != 12 {
		t.Fatalf("Bytes after insert = %d, want 12", got)
	}
	store(t, c, "ab", make([]byte, 3), time.Minute) // replacement
	if got := c.Bytes(); got != 5 {
		t.Fatalf("Bytes after replace = %d, want 5", got)
	}
	c.Backfill("cd", make([]byte, 5), time.Second, c.Generation("cd"))
	if got := c.Bytes(); got != 12 {
		t.Fatalf("Bytes after backfill = %d, want 12", got)
	}
	c.Invalidate("ab")
	if got := c.Bytes(); got != 7 {
		t.Fatalf("Bytes after invalidate = %d, want 7", got)
	}
	clk.Advance(2 * time.Second)
	c.Get("cd") // observes the expiry
	c.CleanUp()
	if got := c.Bytes(); got != 0 {
		t.Fatalf("Bytes after expiry = %d, want 0", got)
	}
	if c.Expirations() != 1 {
		t.Errorf("Expirations = %d, want 1", c.Expirations())
	}
}

func TestEntryMetadata(t *testing.T) {
	t.Parallel()
	c, _ := newFakeCache(t, Options{})
	var lastVersion uint64
	for i := range 2000 {
		key := fmt.Sprint("k", i%50)
		store(t, c, key, []byte("v"), 100*time.Second)
		e, _ := c.Get(key)
		if e.Jitter < 0.9 || e.Jitter >= 1.1 {
			t.Fatalf("Jitter = %v, outside [0.9, 1.1)", e.Jitter)
		}
		if e.Version <= lastVersion {
			t.Fatalf("Version %d not above the previous %d", e.Version, lastVersion)
		}
		lastVersion = e.Version
		if e.InsertedAt != c.Now() {
			t.Fatalf("InsertedAt = %d, want the clock's %d", e.InsertedAt, c.Now())
		}
	}
	// Staleness: half the lifetime times the jitter.
	store(t, c, "s", []byte("v"), 100*time.Second)
	e, _ := c.Get("s")
	threshold := time.Duration(float64(100*time.Second) * 0.5 * e.Jitter)
	if e.Stale(e.InsertedAt + int64(threshold) - 1) {
		t.Error("Stale just before ttl*0.5*jitter")
	}
	if !e.Stale(e.InsertedAt + int64(threshold) + int64(time.Millisecond)) {
		t.Error("not Stale just after ttl*0.5*jitter")
	}
}

// TestConcurrentInvalidationNeverLeavesStale races backfills of an old value against
// invalidations; once the invalidation of the last write has returned, a backfill that
// began before it must not leave the old value.
func TestConcurrentInvalidationNeverLeavesStale(t *testing.T) {
	t.Parallel()
	c := newCache(t, Options{})
	for round := range 200 {
		key := fmt.Sprint("k", round%7)
		var start sync.WaitGroup
		start.Add(1)
		var wg sync.WaitGroup
		gens := make([]uint64, 8)
		for i := range gens {
			gens[i] = c.Generation(key) // every reader read L2 before the change
		}
		for i := range gens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				c.Backfill(key, []byte("old"), time.Minute, gens[i])
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			c.Invalidate(key)
		}()
		start.Done()
		wg.Wait()
		if e, ok := c.Get(key); ok {
			t.Fatalf("round %d: %q left after an invalidation that followed every read", round, e.Value)
		}
	}
}
