package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/allegro/bigcache/v3"
	"github.com/coocood/freecache"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/cachekit-io/cachekit-go"
)

// l1Value describes one kind of value of the in-process benchmarks.
type l1Value[V any] struct {
	name string
	// make returns the value stored under the i-th key.
	make func(i int) V
	// plausible is the cheap check each benchmarked read makes of what it got back.
	plausible func(v V, i int) bool
	// equal is the full comparison TestL1Peers makes.
	equal func(a, b V) bool
}

var (
	profileValue = l1Value[Profile]{
		name:      "struct",
		make:      sampleProfile,
		plausible: func(v Profile, i int) bool { return v.ID == int64(100_000+i) },
		equal: func(a, b Profile) bool {
			return a.ID == b.ID && a.Name == b.Name && a.Email == b.Email && a.Active == b.Active &&
				a.Created.Equal(b.Created)
		},
	}
	payloadValue = l1Value[[]byte]{
		name:      "bytes1k",
		make:      samplePayload,
		plausible: func(v []byte, i int) bool { return len(v) == 1024 && v[1023] == byte(i) },
		equal:     bytes.Equal,
	}
)

// l1Impl is one in-process cache holding keyCount entries of one value type.
type l1Impl[V any] struct {
	name string
	// get reads the i-th key; found is false on a miss or an error.
	get   func(i int) (V, bool)
	close func()
}

// l1Capacity is the entry bound given to every cache: four times what is stored, so no
// admission or eviction policy ever turns a read into a miss.
const l1Capacity = 4 * keyCount

// newL1Impls builds every in-process cache under test and fills each with the keyCount
// values of kind. Callers close them with closeAll.
func newL1Impls[V any](tb testing.TB, kind l1Value[V]) []l1Impl[V] {
	tb.Helper()
	keys := benchKeys("l1")
	values := make([]V, keyCount)
	encoded := make([][]byte, keyCount)
	for i := range values {
		values[i] = kind.make(i)
		b, err := msgpack.Marshal(values[i])
		if err != nil {
			tb.Fatal(err)
		}
		encoded[i] = b
	}
	decode := func(b []byte) (V, bool) {
		var v V
		return v, msgpack.Unmarshal(b, &v) == nil
	}
	var impls []l1Impl[V]
	fail := func(name string, err error) {
		closeAll(impls)
		tb.Fatalf("%s: %v", name, err)
	}

	// cachekit: L1 on, over the in-process memory backend it creates and owns. Its L1
	// holds the stored MessagePack bytes and decodes them on every hit.
	ctx := context.Background()
	ck, err := cachekit.New(cachekit.Options{
		Namespace:  keyPrefix,
		DefaultTTL: entryTTL,
		L1:         cachekit.L1Options{Capacity: l1Capacity},
	})
	if err != nil {
		fail("cachekit", err)
	}
	ckKeys := make([]string, keyCount)
	for i := range ckKeys {
		ckKeys[i] = fmt.Sprintf("l1:%04d", i)
		if err := ck.Set(ctx, ckKeys[i], values[i]); err != nil {
			ck.Close()
			fail("cachekit", err)
		}
	}
	impls = append(impls, l1Impl[V]{
		name: "cachekit",
		get: func(i int) (V, bool) {
			v, found, err := cachekit.Get[V](ctx, ck, ckKeys[i])
			return v, found && err == nil
		},
		close: func() { ck.Close() },
	})

	// otter holding the Go value itself: the library cachekit's L1 is built on.
	ot := otter.Must(&otter.Options[string, V]{
		MaximumSize:      l1Capacity,
		ExpiryCalculator: otter.ExpiryWriting[string, V](entryTTL),
	})
	for i, k := range keys {
		ot.Set(k, values[i])
	}
	impls = append(impls, l1Impl[V]{
		name:  "otter",
		get:   func(i int) (V, bool) { return ot.GetIfPresent(keys[i]) },
		close: func() { ot.StopAllGoroutines() },
	})

	// otter holding MessagePack bytes, decoded on every hit: cachekit's L1 shape without
	// the client around it.
	otb := otter.Must(&otter.Options[string, []byte]{
		MaximumSize:      l1Capacity,
		ExpiryCalculator: otter.ExpiryWriting[string, []byte](entryTTL),
	})
	for i, k := range keys {
		otb.Set(k, encoded[i])
	}
	impls = append(impls, l1Impl[V]{
		name: "otter+msgpack",
		get: func(i int) (V, bool) {
			b, ok := otb.GetIfPresent(keys[i])
			if !ok {
				var zero V
				return zero, false
			}
			return decode(b)
		},
		close: func() { otb.StopAllGoroutines() },
	})

	// ristretto holding the Go value. Sets are buffered and may be dropped, so Wait and
	// check that every key made it.
	rc, err := ristretto.NewCache(&ristretto.Config[string, V]{
		NumCounters: 10 * l1Capacity,
		MaxCost:     l1Capacity,
		BufferItems: 64,
		// Cost is one per entry; without this each entry is also charged ristretto's
		// own bookkeeping bytes and MaxCost admits only a few dozen entries.
		IgnoreInternalCost: true,
	})
	if err != nil {
		fail("ristretto", err)
	}
	impls = append(impls, l1Impl[V]{
		name:  "ristretto",
		get:   func(i int) (V, bool) { return rc.Get(keys[i]) },
		close: rc.Close,
	})
	for attempt := 0; ; attempt++ {
		missing := 0
		for i, k := range keys {
			if _, ok := rc.Get(k); !ok {
				rc.SetWithTTL(k, values[i], 1, entryTTL)
				missing++
			}
		}
		rc.Wait()
		if missing == 0 {
			break
		}
		if attempt == 10 {
			fail("ristretto", fmt.Errorf("%d keys still missing after %d rounds of Set", missing, attempt))
		}
	}

	// patrickmn/go-cache holding the Go value (boxed in an interface). A cleanup interval
	// of 0 runs no janitor goroutine; it does not change what Get costs.
	gc := gocache.New(entryTTL, 0)
	for i, k := range keys {
		gc.Set(k, values[i], entryTTL)
	}
	impls = append(impls, l1Impl[V]{
		name: "go-cache",
		get: func(i int) (V, bool) {
			x, ok := gc.Get(keys[i])
			if !ok {
				var zero V
				return zero, false
			}
			v, ok := x.(V)
			return v, ok
		},
		close: func() {},
	})

	// bigcache holding MessagePack bytes; Get copies the entry out, then it is decoded.
	cfg := bigcache.DefaultConfig(entryTTL)
	cfg.Shards = 256
	cfg.MaxEntriesInWindow = l1Capacity
	cfg.MaxEntrySize = 2048
	cfg.Verbose = false
	bc, err := bigcache.New(ctx, cfg)
	if err != nil {
		fail("bigcache", err)
	}
	impls = append(impls, l1Impl[V]{
		name: "bigcache+msgpack",
		get: func(i int) (V, bool) {
			b, err := bc.Get(keys[i])
			if err != nil {
				var zero V
				return zero, false
			}
			return decode(b)
		},
		close: func() { bc.Close() },
	})
	for i, k := range keys {
		if err := bc.Set(k, encoded[i]); err != nil {
			fail("bigcache", err)
		}
	}

	// freecache holding MessagePack bytes under []byte keys converted once up front (its
	// API takes []byte); Get copies the entry out, then it is decoded.
	fc := freecache.NewCache(32 << 20)
	byteKeys := make([][]byte, keyCount)
	for i, k := range keys {
		byteKeys[i] = []byte(k)
		if err := fc.Set(byteKeys[i], encoded[i], int(entryTTL.Seconds())); err != nil {
			fail("freecache", err)
		}
	}
	impls = append(impls, l1Impl[V]{
		name: "freecache+msgpack",
		get: func(i int) (V, bool) {
			b, err := fc.Get(byteKeys[i])
			if err != nil {
				var zero V
				return zero, false
			}
			return decode(b)
		},
		close: func() {},
	})
	return impls
}

func closeAll[V any](impls []l1Impl[V]) {
	for _, im := range impls {
		im.close()
	}
}

// checkL1Impls fails unless every cache returns, for every key, exactly the value stored
// under it: the benchmarks then measure hits of the right entries.
func checkL1Impls[V any](tb testing.TB, kind l1Value[V], impls []l1Impl[V]) {
	tb.Helper()
	for _, im := range impls {
		for i := range keyCount {
			got, ok := im.get(i)
			want := kind.make(i)
			if !ok {
				tb.Fatalf("%s/%s: key %d missing", kind.name, im.name, i)
			}
			if !kind.equal(got, want) || !kind.plausible(got, i) {
				tb.Fatalf("%s/%s: key %d holds %v, want %v", kind.name, im.name, i, got, want)
			}
		}
	}
}

// TestL1Peers checks that every in-process cache under test holds and returns the values
// stored, so BenchmarkL1Get compares hits of equal data.
func TestL1Peers(t *testing.T) {
	t.Run(profileValue.name, func(t *testing.T) {
		impls := newL1Impls(t, profileValue)
		defer closeAll(impls)
		checkL1Impls(t, profileValue, impls)
	})
	t.Run(payloadValue.name, func(t *testing.T) {
		impls := newL1Impls(t, payloadValue)
		defer closeAll(impls)
		checkL1Impls(t, payloadValue, impls)
	})
}

// BenchmarkL1Get measures an in-process hit, by one caller and by eight.
func BenchmarkL1Get(b *testing.B) {
	benchmarkL1Get(b, profileValue)
	benchmarkL1Get(b, payloadValue)
}

func benchmarkL1Get[V any](b *testing.B, kind l1Value[V]) {
	impls := newL1Impls(b, kind)
	defer closeAll(impls)
	checkL1Impls(b, kind, impls)
	for _, p := range []int{1, 8} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("value=%s/par=%d/impl=%s", kind.name, p, im.name), func(b *testing.B) {
				run(b, p, func(i int) bool {
					v, ok := im.get(i)
					return ok && kind.plausible(v, i)
				})
			})
		}
	}
}
