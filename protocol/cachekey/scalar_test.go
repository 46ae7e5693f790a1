package cachekey_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"golang.org/x/crypto/blake2b"
)

// More named types of the scalar kinds, besides userID, label, rawBytes and googleUUID.
type (
	shardNo   uint16
	ratio     float64
	flag      bool
	namedByte uint8
)

// scalarEdges are arguments at the edges of every MessagePack form the scalar path
// writes, with whether the scalar path must take them (false: it must leave them to
// the general path, which then encodes them or reports the error).
func scalarEdges() []struct {
	name   string
	arg    any
	scalar bool
} {
	type edge = struct {
		name   string
		arg    any
		scalar bool
	}
	var out []edge
	add := func(name string, arg any, scalar bool) { out = append(out, edge{name, arg, scalar}) }
	for _, n := range []int64{0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -31, -32, -33, -127, -128, -129, -32767, -32768, -32769, math.MinInt32 + 1, math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		add("int64", n, true)
		add("int", int(n), true)
		add("userID", userID(n), true)
		if n == int64(int32(n)) {
			add("int32", int32(n), true)
		}
		if n == int64(int16(n)) {
			add("int16", int16(n), true)
		}
		if n == int64(int8(n)) {
			add("int8", int8(n), true)
		}
		if n >= 0 {
			add("uint64", uint64(n), true)
			add("uint", uint(n), true)
			add("uintptr", uintptr(n), true)
			if n <= math.MaxUint32 {
				add("uint32", uint32(n), true)
			}
			if n <= math.MaxUint16 {
				add("uint16", uint16(n), true)
				add("shardNo", shardNo(n), true)
			}
			if n <= math.MaxUint8 {
				add("uint8", uint8(n), true)
				add("namedByte", namedByte(n), true)
			}
		}
	}
	add("uint64 max", uint64(math.MaxUint64), true)
	add("uint64 2^63", uint64(1)<<63, true)

	negZero := math.Copysign(0, -1)
	for _, f := range []float64{0, negZero, 1, -1, 2, -2, 1.5, -1.5, 0.1, 1e300, -1e300, 255, 256, -33,
		1 << 53, 1<<53 + 2, 1 << 63, -(1 << 63), 1 << 64, -(1 << 63) - 2048, math.Nextafter(1<<64, 0),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 4294967295, 4294967296} {
		add("float64", f, true)
		add("float32", float32(f), !math.IsInf(float64(float32(f)), 0))
		add("ratio", ratio(f), true)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		add("float64 non-finite", f, false)
		add("float32 non-finite", float32(f), false)
		add("ratio non-finite", ratio(f), false)
	}

	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536} {
		add("string", strings.Repeat("é", n/2)+strings.Repeat("a", n%2), true)
		add("label", label(strings.Repeat("x", n)), true)
		add("bytes", bytes.Repeat([]byte{0xab}, n), true)
		add("rawBytes", rawBytes(bytes.Repeat([]byte{7}, n)), true)
	}
	add("string astral", "\U00010000\uff61", true)
	add("string invalid UTF-8", "a\xffb", false)
	add("label invalid UTF-8", label("\xc3"), false)
	add("nil bytes", []byte(nil), true)
	add("nil rawBytes", rawBytes(nil), true)
	add("bytes of a named byte", []namedByte{1, 2, 3}, true)

	add("nil", nil, true)
	add("true", true, true)
	add("false", false, true)
	add("flag", flag(true), true)

	for _, tm := range []time.Time{
		time.Unix(0, 0),
		time.Unix(1704112245, 123456789).In(time.FixedZone("", 19800)),
		time.Unix(-1, 1000),    // -0.999999
		time.Unix(-1, 999),     // floors to -1: a whole second
		time.Unix(1<<40, 5000), // microseconds survive
		time.Unix(math.MaxInt64/1_000_000-1, 999_999_999),
		time.Unix(math.MinInt64/1_000_000, 0),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		add("time", tm, true)
	}
	add("time too late", time.Unix(math.MaxInt64/1_000_000, 0), false)
	add("time too early", time.Unix(math.MinInt64/1_000_000-1, 0), false)

	u := cachekey.UUID{0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0x00, 0x00}
	add("UUID", u, true)
	add("[16]byte", [16]byte(u), true)
	add("named [16]byte", googleUUID(u), true)
	add("[16]namedByte", [16]namedByte{0xff, 1}, true)

	// Left to the general path.
	n := 5
	add("pointer", &n, false)
	add("nil pointer", (*int)(nil), false)
	add("list", []any{1}, false)
	add("typed list", []int{1, 2}, false)
	add("map", map[string]any{"a": 1}, false)
	add("set", cachekey.Set{2, 1}, false)
	add("big int", big.NewInt(7), false)
	add("byte array not 16", [3]byte{1, 2, 3}, false)
	add("UUID pointer", &u, false)
	return out
}

// TestScalarPathMatchesGeneralPath: for every edge argument, alone and after another
// argument, the scalar path writes exactly the general path's bytes, and takes every
// argument it is meant to take. What it leaves, the general path encodes or rejects.
func TestScalarPathMatchesGeneralPath(t *testing.T) {
	for _, e := range scalarEdges() {
		for _, args := range [][]any{{e.arg}, {"prefix", e.arg}} {
			general, generalErr := cachekey.GeneralCanonicalArgs(args...)
			scalar, ok := cachekey.ScalarCanonicalArgs(args...)
			if ok != e.scalar {
				t.Errorf("%s %v: scalar path took it: %v, want %v", e.name, e.arg, ok, e.scalar)
				continue
			}
			if !ok {
				continue
			}
			if generalErr != nil {
				t.Errorf("%s %v: the scalar path accepted what the general path rejects: %v", e.name, e.arg, generalErr)
				continue
			}
			if !bytes.Equal(scalar, general) {
				t.Errorf("%s %v:\nscalar  %x\ngeneral %x", e.name, e.arg, scalar, general)
			}
			public, err := cachekey.CanonicalArgs(args...)
			if err != nil || !bytes.Equal(public, general) {
				t.Errorf("%s %v: CanonicalArgs %x, %v", e.name, e.arg, public, err)
			}
		}
	}
}

// TestScalarPathRandomLists compares the two paths on random argument lists of up to
// 40 scalars (array headers past the fixarray range included), and Interop's key with
// the hash of the general path's bytes.
func TestScalarPathRandomLists(t *testing.T) {
	edges := scalarEdges()
	r := rand.New(rand.NewPCG(3, 2026))
	g := argGen{r}
	taken := 0
	for i := range 3000 {
		args := make([]any, r.IntN(41))
		for j := range args {
			if r.IntN(2) == 0 {
				args[j] = g.scalar()
			} else {
				args[j] = edges[r.IntN(len(edges))].arg
			}
		}
		general, generalErr := cachekey.GeneralCanonicalArgs(args...)
		scalar, ok := cachekey.ScalarCanonicalArgs(args...)
		if !ok {
			continue
		}
		taken++
		if generalErr != nil || !bytes.Equal(scalar, general) {
			t.Fatalf("case %d (%d args): general %v\nscalar  %x\ngeneral %x", i, len(args), generalErr, scalar, general)
		}
		sum := blake2b.Sum256(general)
		key, err := cachekey.Interop("ns1", "op", args...)
		if err != nil || key != "ns1:op:"+hex.EncodeToString(sum[:]) {
			t.Fatalf("case %d: Interop %q, %v", i, key, err)
		}
	}
	if taken < 100 {
		t.Fatalf("the scalar path took only %d of 3000 lists", taken)
	}
}

// TestScalarPathVectors runs both paths on every key vector: the general path always,
// the scalar path on the vectors whose arguments are all scalars.
func TestScalarPathVectors(t *testing.T) {
	var f interopVectors
	vectortest.Load(t, "interop-mode.json", &f)
	taken := 0
	for _, vec := range f.KeyVectors {
		t.Run(vec.Name, func(t *testing.T) {
			args := fromTagged(t, vec.Args).([]any)
			general, err := cachekey.GeneralCanonicalArgs(args...)
			if err != nil || hex.EncodeToString(general) != vec.CanonicalArgsHex {
				t.Fatalf("general path %x, %v\nwant %s", general, err, vec.CanonicalArgsHex)
			}
			scalar, ok := cachekey.ScalarCanonicalArgs(args...)
			if !ok {
				return
			}
			taken++
			if hex.EncodeToString(scalar) != vec.CanonicalArgsHex {
				t.Fatalf("scalar path %x\nwant %s", scalar, vec.CanonicalArgsHex)
			}
		})
	}
	if taken == 0 {
		t.Fatal("no vector went through the scalar path")
	}
	t.Logf("%d of %d vectors through the scalar path too", taken, len(f.KeyVectors))
}

// TestNamedByteArrayIsNotAPanic is the regression test for arrays of a named byte type,
// which made the general path panic in reflect.Copy: they are bytes (a UUID at 16
// bytes) like any byte array, inside containers too.
func TestNamedByteArrayIsNotAPanic(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"16 bytes", [16]namedByte{1, 2, 3}, cachekey.UUID{1, 2, 3}},
		{"3 bytes", [3]namedByte{1, 2, 3}, []byte{1, 2, 3}},
		{"in a list", []any{[2]namedByte{9, 8}}, []any{[]byte{9, 8}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := cachekey.GeneralCanonicalArgs(c.got)
			if err != nil {
				t.Fatal(err)
			}
			want, err := cachekey.GeneralCanonicalArgs(c.want)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%x, want %x (%v)", got, want, err)
			}
			if public, err := cachekey.CanonicalArgs(c.got); err != nil || !bytes.Equal(public, want) {
				t.Fatalf("CanonicalArgs %x, want %x (%v)", public, want, err)
			}
		})
	}
}

// TestScalarErrorsComeFromTheGeneralPath: arguments the scalar path refuses still fail
// with the general path's *KeyError and path.
func TestScalarErrorsComeFromTheGeneralPath(t *testing.T) {
	for _, c := range []struct {
		arg  any
		want error
	}{
		{math.NaN(), cachekey.ErrNonFinite},
		{ratio(math.Inf(-1)), cachekey.ErrNonFinite},
		{"\xff", cachekey.ErrInvalidUTF8},
		{time.Unix(math.MaxInt64/1_000_000, 0), cachekey.ErrOutOfRange},
		{struct{}{}, cachekey.ErrUnsupportedType},
	} {
		_, err := cachekey.Interop("ns1", "op", 1, c.arg)
		var ke *cachekey.KeyError
		if !errors.Is(err, c.want) || !errors.As(err, &ke) || ke.Where != "args[1]" {
			t.Errorf("%T: %v, want %v at args[1]", c.arg, err, c.want)
		}
	}
}

// TestInteropScalarArgsAllocateOnlyTheKey: with scalar arguments, the key string is
// Interop's only allocation, and the copy returned is CanonicalArgs' only one.
func TestInteropScalarArgsAllocateOnlyTheKey(t *testing.T) {
	args := []any{int64(123456789), "ada@example.com", 2.5, cachekey.UUID{1}, time.Unix(1704112245, 5000), userID(1 << 40), []byte("raw")}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := cachekey.Interop("myapp", "get_user", args...); err != nil {
			t.Fatal(err)
		}
	}); n != 1 {
		t.Errorf("Interop: %v allocations, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := cachekey.CanonicalArgs(args...); err != nil {
			t.Fatal(err)
		}
	}); n != 1 {
		t.Errorf("CanonicalArgs: %v allocations, want 1", n)
	}
}

// FuzzScalarPathMatchesGeneralPath builds argument lists from fuzzed scalars and
// requires the scalar path, whenever it takes a list, to write the general path's
// bytes, and to take every list of finite numbers, valid strings and bytes.
func FuzzScalarPathMatchesGeneralPath(f *testing.F) {
	f.Add(uint16(0xffff), int64(42), uint64(1<<63), 2.0, "x", []byte{1}, int64(1704112245))
	f.Add(uint16(0x0f0f), int64(-33), uint64(256), math.Copysign(0, -1), "é", []byte{}, int64(-1))
	f.Add(uint16(0x1234), int64(math.MinInt64), uint64(math.MaxUint64), 1e300, strings.Repeat("a", 32), []byte(nil), int64(0))
	f.Add(uint16(0x8001), int64(1), uint64(0), math.NaN(), "\xff", []byte{0}, int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, shape uint16, i int64, u uint64, fl float64, s string, b []byte, sec int64) {
		var args []any
		for n := 0; n < 8; n++ {
			switch (shape >> (2 * (n % 8))) & 3 {
			case 0:
				args = append(args, i, userID(i))
			case 1:
				args = append(args, u, shardNo(u), uint8(u))
			case 2:
				args = append(args, fl, float32(fl), ratio(fl))
			default:
				args = append(args, s, label(s), b, rawBytes(b), time.Unix(sec, int64(u%1e9)))
			}
		}
		general, generalErr := cachekey.GeneralCanonicalArgs(args...)
		scalar, ok := cachekey.ScalarCanonicalArgs(args...)
		if !ok {
			if generalErr == nil {
				t.Fatalf("the scalar path left a valid list of scalars to the general path: %v", args)
			}
			return
		}
		if generalErr != nil || !bytes.Equal(scalar, general) {
			t.Fatalf("general %v\nscalar  %x\ngeneral %x", generalErr, scalar, general)
		}
	})
}
