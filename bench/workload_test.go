package bench

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Profile is the small struct of the in-process benchmarks: five fields of the kinds a
// cached row usually has.
type Profile struct {
	ID      int64     `msgpack:"id"`
	Name    string    `msgpack:"name"`
	Email   string    `msgpack:"email"`
	Active  bool      `msgpack:"active"`
	Created time.Time `msgpack:"created"`
}

// keyCount is how many distinct keys each benchmark spreads its operations over. Every
// cache under test holds all of them, so every read is a hit.
const keyCount = 1024

// entryTTL is the lifetime every cache under test gives an entry, so that each pays for
// per-entry expiry the way cachekit does.
const entryTTL = 10 * time.Minute

// keyPrefix starts every key written, in process or to a server.
const keyPrefix = "cachekit-bench"

// parallelisms are the numbers of concurrent callers measured against servers.
var parallelisms = []int{1, 8, 64}

// benchKeys returns keyCount keys under prefix.
func benchKeys(prefix string) []string {
	keys := make([]string, keyCount)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s:%s:%04d", keyPrefix, prefix, i)
	}
	return keys
}

// sampleProfile returns the Profile stored under the i-th key. The time has no monotonic
// reading and a whole-microsecond UTC wall clock, so it survives a MessagePack round
// trip unchanged and values can be compared with ==.
func sampleProfile(i int) Profile {
	return Profile{
		ID:      int64(100_000 + i),
		Name:    fmt.Sprintf("user %d", i),
		Email:   fmt.Sprintf("user%d@example.com", i),
		Active:  i%2 == 0,
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Microsecond),
	}
}

// samplePayload returns the 1 KiB value stored under the i-th key: distinct per key so
// that a read of the wrong entry is caught.
func samplePayload(i int) []byte {
	p := bytes.Repeat([]byte{byte(i)}, 1024)
	copy(p, fmt.Sprintf("payload %04d", i))
	return p
}

// goroutinesFor returns the RunParallel parallelism that runs about p goroutines in
// total: RunParallel starts parallelism x GOMAXPROCS of them.
func goroutinesFor(p int) int {
	return max(1, p/runtime.GOMAXPROCS(0))
}

// run calls op b.N times with about p concurrent callers: a plain loop for p == 1,
// RunParallel otherwise. op gets the index of the key to use and reports whether the
// operation found what it expected; any miss fails the benchmark after the timer stops,
// so a benchmark never silently measures misses.
func run(b *testing.B, p int, op func(i int) bool) {
	b.Helper()
	b.ReportAllocs()
	var misses atomic.Int64
	if p <= 1 {
		b.ResetTimer()
		var missed int64
		for i := 0; i < b.N; i++ {
			if !op(i % keyCount) {
				missed++
			}
		}
		b.StopTimer()
		misses.Add(missed)
	} else {
		var worker atomic.Int64
		b.SetParallelism(goroutinesFor(p))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			// Callers start far apart in the key space so they do not walk in step.
			i := int(worker.Add(1)) * 7919
			var missed int64
			for pb.Next() {
				if !op(i % keyCount) {
					missed++
				}
				i++
			}
			misses.Add(missed)
		})
		b.StopTimer()
	}
	if n := misses.Load(); n > 0 {
		b.Fatalf("%d of %d operations missed or failed", n, b.N)
	}
}
