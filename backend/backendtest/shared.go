package backendtest

import "testing"

// checkSharedStore: when Options.SharedStore says so, two backends from newBackend see
// each other's writes and deletes.
func checkSharedStore(tb testing.TB, e env) {
	if !e.opts.SharedStore {
		tb.Skip("Options.SharedStore is false: each backend has its own store")
	}
	other := e.another()
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("from the first backend"), defaultTTL)
	wantValue(tb, other, key, []byte("from the first backend"))
	mustSet(tb, other, key, []byte("from the second backend"), defaultTTL)
	wantValue(tb, e.b, key, []byte("from the second backend"))
	if !mustDelete(tb, other, key) {
		tb.Fatalf("Delete(%q) through the second backend = false, want true", key)
	}
	wantMiss(tb, e.b, key)
}
