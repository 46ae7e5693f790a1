package backendtest

import (
	"bytes"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
)

func mustGetMany(tb testing.TB, bg backend.BatchGetter, keys []string) map[string][]byte {
	tb.Helper()
	got, err := bg.GetMany(ctxOf(tb), keys)
	if err != nil {
		tb.Fatalf("GetMany(%q): %v", keys, err)
	}
	return got
}

// checkGetManyHitsAndMisses: GetMany returns exactly the live entries among the keys,
// as copies the caller may modify.
func checkGetManyHitsAndMisses(tb testing.TB, e env) {
	bg := e.b.(backend.BatchGetter)
	base := UniqueKey(tb)
	hits := map[string][]byte{
		base + ":a":     []byte("alpha"),
		base + ":b":     {},
		base + ":c":     {0, 1, 2, 255},
		base + ":gone":  nil, // written, then deleted
		base + ":never": nil,
	}
	for k, v := range hits {
		if v != nil || k == base+":gone" {
			mustSet(tb, e.b, k, v, defaultTTL)
		}
	}
	mustDelete(tb, e.b, base+":gone")
	keys := []string{base + ":never", base + ":a", base + ":gone", base + ":b", base + ":c"}
	got := mustGetMany(tb, bg, keys)
	want := map[string][]byte{base + ":a": []byte("alpha"), base + ":b": {}, base + ":c": {0, 1, 2, 255}}
	if len(got) != len(want) {
		tb.Fatalf("GetMany returned %d entries %q, want %d", len(got), mapKeys(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || !bytes.Equal(g, w) {
			tb.Errorf("GetMany[%q] = (%s, %v), want %s", k, describe(g), ok, describe(w))
		}
	}
	for _, v := range got {
		for i := range v {
			v[i] = 'X'
		}
	}
	wantValue(tb, e.b, base+":a", []byte("alpha"))
}

// checkGetManyEmpty: GetMany of no keys is an empty answer, not an error.
func checkGetManyEmpty(tb testing.TB, e env) {
	bg := e.b.(backend.BatchGetter)
	for _, keys := range [][]string{nil, {}} {
		if got := mustGetMany(tb, bg, keys); len(got) != 0 {
			tb.Errorf("GetMany(%#v) = %d entries, want none", keys, len(got))
		}
	}
}

// checkGetManyDuplicates: a key asked for twice is answered once, and a missing key
// asked for twice is still missing.
func checkGetManyDuplicates(tb testing.TB, e env) {
	bg := e.b.(backend.BatchGetter)
	key := UniqueKey(tb)
	missing := key + ":missing"
	mustSet(tb, e.b, key, []byte("once"), defaultTTL)
	got := mustGetMany(tb, bg, []string{key, missing, key, missing, key})
	if len(got) != 1 || string(got[key]) != "once" {
		tb.Fatalf("GetMany with duplicates = %d entries %q, want only %q = \"once\"", len(got), mapKeys(got), key)
	}
}

func mapKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
