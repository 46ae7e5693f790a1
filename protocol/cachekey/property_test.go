package cachekey_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// argGen makes random arguments inside the data model.
type argGen struct{ r *rand.Rand }

func (g argGen) scalar() any {
	switch g.r.IntN(9) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 1
	case 2:
		return g.r.Int64() >> g.r.IntN(64)
	case 3:
		return -(g.r.Int64() >> g.r.IntN(64))
	case 4:
		return g.r.Uint64()
	case 5:
		return float64(g.r.IntN(1<<20)) / float64(int(1)<<g.r.IntN(8)) // often integral
	case 6:
		return []byte{byte(g.r.IntN(256)), byte(g.r.IntN(256))}
	case 7:
		return time.Unix(g.r.Int64N(1<<33)-1<<32, g.r.Int64N(1e9)).In(time.FixedZone("", (g.r.IntN(48)-24)*1800))
	default:
		return []string{"a", "b", "é", "\U00010000", "\uff61", "A", "a-b", "a_b"}[g.r.IntN(8)]
	}
}

func (g argGen) value(depth int) any {
	if depth > 3 || g.r.IntN(3) > 0 {
		return g.scalar()
	}
	n := g.r.IntN(5)
	switch g.r.IntN(3) {
	case 0:
		l := make([]any, n)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 1:
		m := map[string]any{}
		for range n {
			m[g.scalarString()] = g.value(depth + 1)
		}
		return m
	default:
		s := cachekey.Set{}
		for range n {
			s = append(s, g.value(depth+1))
		}
		return s
	}
}

func (g argGen) scalarString() string {
	return []string{"a", "b", "é", "\U00010000", "\uff61", "A", "a-b", "a_b", ""}[g.r.IntN(9)]
}

// shuffle returns an equal argument: maps rebuilt in another insertion order, sets
// permuted and with some elements repeated, integral floats swapped with integers.
func shuffle(v any, r *rand.Rand) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = shuffle(el, r)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		out := map[string]any{}
		for _, k := range keys {
			out[k] = shuffle(x[k], r)
		}
		return out
	case cachekey.Set:
		out := make(cachekey.Set, 0, 2*len(x))
		for _, el := range x {
			out = append(out, shuffle(el, r))
			if r.IntN(2) == 0 {
				out = append(out, shuffle(el, r)) // a duplicate
			}
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case int64:
		if x > -1<<53 && x < 1<<53 {
			return float64(x)
		}
	}
	return v
}

// TestCanonicalArgsProperties: keys are deterministic; insensitive to map insertion
// order, set order and duplicates, and to spelling an integral number as a float; and
// the canonical bytes are canonical (decoding and re-encoding them changes nothing).
func TestCanonicalArgsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 2026))
	for i := range 2000 {
		g := argGen{r}
		args := make([]any, r.IntN(4))
		for j := range args {
			args[j] = g.value(0)
		}
		first, err := cachekey.CanonicalArgs(args...)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		again, _ := cachekey.CanonicalArgs(args...)
		if !bytes.Equal(first, again) {
			t.Fatalf("case %d: not deterministic", i)
		}
		shuffled := make([]any, len(args))
		for j, a := range args {
			shuffled[j] = shuffle(a, r)
		}
		other, err := cachekey.CanonicalArgs(shuffled...)
		if err != nil || !bytes.Equal(first, other) {
			t.Fatalf("case %d: an equal argument list gave other bytes (%v)\n%x\n%x", i, err, first, other)
		}
		var decoded []any
		if err := codec.UnmarshalStrict(first, &decoded); err != nil {
			t.Fatalf("case %d: canonical args do not decode: %v", i, err)
		}
		if re, err := codec.MarshalCanonical(decoded); err != nil || !bytes.Equal(re, first) {
			t.Fatalf("case %d: canonical args are not a fixed point", i)
		}
		k1, err1 := cachekey.Interop("p", "q", args...)
		k2, err2 := cachekey.Interop("p", "q", shuffled...)
		if err1 != nil || err2 != nil || k1 != k2 || len(k1) != 1+1+1+1+64 {
			t.Fatalf("case %d: keys %q %q (%v %v)", i, k1, k2, err1, err2)
		}
	}
}

// TestSetIsSortedByEncodedBytes checks the set rule against a direct reading of the
// spec: encode each element alone, sort the encodings, drop repeats.
func TestSetIsSortedByEncodedBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for i := range 500 {
		g := argGen{r}
		set := cachekey.Set{}
		var encoded [][]byte
		for range r.IntN(8) {
			el := g.scalar()
			set = append(set, el)
			b, err := cachekey.CanonicalArgs(el)
			if err != nil {
				t.Fatal(err)
			}
			encoded = append(encoded, b[1:]) // drop the one-element array header
		}
		slices.SortFunc(encoded, bytes.Compare)
		encoded = slices.CompactFunc(encoded, bytes.Equal)
		want := []byte{0x91, 0x90 | byte(len(encoded))}
		for _, e := range encoded {
			want = append(want, e...)
		}
		got, err := cachekey.CanonicalArgs(set)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("case %d: %x, %v; want %x", i, got, err, want)
		}
	}
}
