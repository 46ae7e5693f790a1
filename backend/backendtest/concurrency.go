package backendtest

import (
	"fmt"
	"sync"
	"testing"
)

// Shape of checkConcurrentWriters.
const (
	concurrentWriters = 8
	writesPerWriter   = 40
	deleteEvery       = 7
)

// checkConcurrentWriters: writers working at once on their own keys and on one shared
// key see their own writes, never a torn or foreign value, and the shared key ends
// with one of the values written to it.
func checkConcurrentWriters(tb testing.TB, e env) {
	base := UniqueKey(tb)
	shared := base + ":shared"
	value := func(w, i int) string { return fmt.Sprintf("writer %d write %d", w, i) }
	written := make(map[string]bool, concurrentWriters*writesPerWriter)
	for w := range concurrentWriters {
		for i := range writesPerWriter {
			written[value(w, i)] = true
		}
	}

	ctx := ctxOf(tb)
	var wg sync.WaitGroup
	for w := range concurrentWriters {
		wg.Go(func() {
			own := fmt.Sprintf("%s:own:%d", base, w)
			for i := range writesPerWriter {
				v := value(w, i)
				if err := e.b.Set(ctx, own, []byte(v), defaultTTL); err != nil {
					tb.Errorf("writer %d: Set(%q): %v", w, own, err)
					return
				}
				got, found, err := e.b.Get(ctx, own)
				if err != nil || !found || string(got) != v {
					tb.Errorf("writer %d: Get(%q) = (%s, %v, %v), want its own last write %q", w, own, describe(got), found, err, v)
					return
				}
				if err := e.b.Set(ctx, shared, []byte(v), defaultTTL); err != nil {
					tb.Errorf("writer %d: Set(%q): %v", w, shared, err)
					return
				}
				got, found, err = e.b.Get(ctx, shared)
				if err != nil || !found || !written[string(got)] {
					tb.Errorf("writer %d: Get(%q) = (%s, %v, %v), want one of the values written", w, shared, describe(got), found, err)
					return
				}
				if i%deleteEvery == deleteEvery-1 {
					deleted, err := e.b.Delete(ctx, own)
					if err != nil || !deleted {
						tb.Errorf("writer %d: Delete(%q) = (%v, %v), want (true, nil)", w, own, deleted, err)
						return
					}
					if ok, err := e.b.Exists(ctx, own); err != nil || ok {
						tb.Errorf("writer %d: Exists(%q) after Delete = (%v, %v), want (false, nil)", w, own, ok, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if tb.Failed() {
		return
	}
	for w := range concurrentWriters {
		wantValue(tb, e.b, fmt.Sprintf("%s:own:%d", base, w), []byte(value(w, writesPerWriter-1)))
	}
	got, found := mustGet(tb, e.b, shared)
	if !found || !written[string(got)] {
		tb.Fatalf("Get(%q) after all writers = (%s, %v), want one of the values written", shared, describe(got), found)
	}
}
