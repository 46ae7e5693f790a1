package codec_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// valueGen makes random values from the set a decode into *any returns, so that a round
// trip must give back exactly what went in.
type valueGen struct {
	r         *rand.Rand
	validUTF8 bool // MarshalCanonical needs valid strings
}

func (g valueGen) str() string {
	n := g.r.IntN(40)
	if g.r.IntN(400) == 0 {
		n = 250 + g.r.IntN(66000) // str8, str16 and str32
	}
	var sb strings.Builder
	pieces := []string{"a", "Z", "0", "-", "_", "é", "✓", "\U00010000", "\uff61", "\ufeff", "\x00"}
	for sb.Len() < n {
		sb.WriteString(pieces[g.r.IntN(len(pieces))])
	}
	if !g.validUTF8 && g.r.IntN(10) == 0 {
		sb.WriteByte(0xff)
	}
	return sb.String()
}

func (g valueGen) scalar() any {
	switch g.r.IntN(10) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2:
		// Every width: shift a random value to a random size.
		return g.r.Int64() >> g.r.IntN(64)
	case 3:
		return -(g.r.Int64() >> g.r.IntN(64))
	case 4:
		return uint64(math.MaxInt64) + 1 + g.r.Uint64N(math.MaxInt64)
	case 5:
		return math.Float64frombits(g.r.Uint64())
	case 6:
		return float64(g.r.IntN(1000)) / 8
	case 7:
		b := make([]byte, g.r.IntN(300))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	case 8:
		sec := g.r.Int64N(253402300799+62135596800) - 62135596800 // years 1..9999
		zone := time.FixedZone("", (g.r.IntN(49)-24)*1800)
		return time.Unix(sec, int64(g.r.IntN(1e6))*1000).In(zone)
	default:
		return g.str()
	}
}

func (g valueGen) value(depth int) any {
	if depth >= 4 || g.r.IntN(3) > 0 {
		return g.scalar()
	}
	n := g.r.IntN(6)
	if g.r.IntN(15) == 0 {
		n = 16 + g.r.IntN(40) // array16 and map16
	}
	if g.r.IntN(2) == 0 {
		arr := make([]any, n)
		for i := range arr {
			arr[i] = g.value(depth + 1)
		}
		return arr
	}
	m := make(map[string]any, n)
	for range n {
		m[g.str()] = g.value(depth + 1)
	}
	if len(m) == 2 {
		m["third key, so this is never a temporal sentinel"] = nil
	}
	return m
}

// TestRoundTripProperty: for random values, Unmarshal(Marshal(v)) == v, and the same for
// the canonical pair.
func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(20260101, 1))
	for i := range 2000 {
		g := valueGen{r: r, validUTF8: i%2 == 0}
		v := g.value(0)
		b, err := codec.Marshal(v)
		if err != nil {
			t.Fatalf("case %d: Marshal: %v", i, err)
		}
		var back any
		if err := codec.Unmarshal(b, &back); err != nil {
			t.Fatalf("case %d: Unmarshal: %v", i, err)
		}
		if !same(back, v) {
			t.Fatalf("case %d: round trip changed the value\n got %#v\nwant %#v", i, back, v)
		}
		if !g.validUTF8 {
			continue
		}
		c, err := codec.MarshalCanonical(v)
		if err != nil {
			t.Fatalf("case %d: MarshalCanonical: %v", i, err)
		}
		back = nil
		if err := codec.UnmarshalStrict(c, &back); err != nil {
			t.Fatalf("case %d: UnmarshalStrict: %v", i, err)
		}
		if !same(back, v) {
			t.Fatalf("case %d: canonical round trip changed the value", i)
		}
		again, err := codec.MarshalCanonical(back)
		if err != nil || !bytes.Equal(again, c) {
			t.Fatalf("case %d: canonical bytes are not a fixed point", i)
		}
	}
}

// TestCanonicalDeterminismProperty: a value rebuilt with its maps filled in another
// order encodes to the same canonical bytes (Go randomises map iteration, so every
// encoding also runs a fresh iteration order).
func TestCanonicalDeterminismProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 1000 {
		v := valueGen{r: r, validUTF8: true}.value(0)
		first, err := codec.MarshalCanonical(v)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := rebuild(v, r)
		for range 3 {
			b, err := codec.MarshalCanonical(shuffled)
			if err != nil || !bytes.Equal(b, first) {
				t.Fatalf("case %d: canonical bytes differ for the same value", i)
			}
		}
	}
}

// rebuild copies v, inserting map keys in a random order.
func rebuild(v any, r *rand.Rand) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = rebuild(el, r)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		out := make(map[string]any)
		for _, k := range keys {
			out[k] = rebuild(x[k], r)
		}
		return out
	}
	return v
}
