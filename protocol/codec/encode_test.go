package codec_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/vmihailenco/msgpack/v5"
)

type tagged struct {
	ByMsgpack  string `msgpack:"m" json:"ignored"`
	ByJSON     int    `json:"j"`
	ByName     bool
	Dropped    string `msgpack:"-"`
	DroppedJS  string `json:"-"`
	Empty      string `json:"e,omitempty"`
	Zero       int    `msgpack:"z,omitzero"`
	unexported int
}

type inner struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type withEmbedded struct {
	inner
	Name  string `json:"name"` // shallower: wins over inner.Name
	Extra *inner `json:"extra,omitempty"`
}

type withEmbeddedPtr struct {
	*inner
	Kind string
}

// TestMarshalBytes pins encodings against the MessagePack specification, worked out by
// hand (the expected bytes never come from this package).
func TestMarshalBytes(t *testing.T) {
	tests := []struct {
		name      string
		v         any
		plain     string
		canonical string // "" means the same as plain
	}{
		{"nil", nil, "c0", ""},
		{"true", true, "c3", ""},
		{"false", false, "c2", ""},
		{"zero", 0, "00", ""},
		{"minus one", -1, "ff", ""},
		{"minus 32", int8(-32), "e0", ""},
		{"minus 33", int16(-33), "d0df", ""},
		{"127", uint8(127), "7f", ""},
		{"128 as int8 type goes unsigned", int64(128), "cc80", ""},
		{"non-negative int32 goes unsigned", int32(65536), "ce00010000", ""},
		{"uint64 max", uint64(math.MaxUint64), "cfffffffffffffffff", ""},
		{"int64 min", int64(math.MinInt64), "d38000000000000000", ""},
		{"float64", 1.5, "cb3ff8000000000000", ""},
		{"float64 integral stays float", 2.0, "cb4000000000000000", ""},
		{"float32", float32(1.5), "ca3fc00000", "cb3ff8000000000000"},
		{"NaN is canonicalised", math.Float64frombits(0x7ff8000000000001), "cb7ff8000000000001", "cb7ff8000000000000"},
		{"empty string", "", "a0", ""},
		{"string", "abc", "a3616263", ""},
		{"empty bytes", []byte{}, "c400", ""},
		{"nil bytes", []byte(nil), "c0", ""},
		{"byte array", [3]byte{1, 2, 3}, "c403010203", ""},
		{"named byte slice", json8("hi"), "c4026869", ""},
		{"int slice", []int{1, 2}, "920102", ""},
		{"nil slice", []int(nil), "c0", ""},
		{"int array", [2]int16{-1, 1}, "92ff01", ""},
		{"nil map", map[string]int(nil), "c0", ""},
		{"nil pointer", (*int)(nil), "c0", ""},
		{"pointer", ptr(7), "07", ""},
		{"typed string", color("red"), "a3726564", ""},
		{"ext fixext1", codec.Ext{Type: 1, Data: []byte{0x2a}}, "d4012a", "error"},
		{"ext8", codec.Ext{Type: 5, Data: []byte{1, 2, 3}}, "c70305010203", "error"},
		{"ext16 length", codec.Ext{Type: -2, Data: make([]byte, 256)}, "c80100fe" + zeros(256), "error"},
		{"tags", tagged{ByMsgpack: "x", ByJSON: 2, ByName: true, Dropped: "d", DroppedJS: "d", unexported: 9},
			"83a16da178a16a02a642794e616d65c3", "83a642794e616d65c3a16a02a16da178"},
		{"omitempty keeps non-empty", tagged{Empty: "e", Zero: 1},
			"85a16da0a16a00a642794e616d65c2a165a165a17a01", "85a642794e616d65c2a165a165a16a00a16da0a17a01"},
		{"embedded promotion and shadowing", withEmbedded{inner: inner{ID: 1, Name: "deep"}, Name: "top"},
			"82a2696401a46e616d65a3746f70", ""},
		{"nil embedded pointer omits its fields", withEmbeddedPtr{Kind: "k"}, "81a44b696e64a16b", ""},
		{"embedded pointer", withEmbeddedPtr{inner: &inner{ID: 3}, Kind: "k"}, "83a2696403a46e616d65a0a44b696e64a16b",
			"83a44b696e64a16ba2696403a46e616d65a0"},
		{"time UTC", time.Date(2025, 11, 14, 10, 30, 0, 0, time.UTC),
			"82ac5f5f6461746574696d655f5fc3a576616c7565b9323032352d31312d31345431303a33303a30302b30303a3030", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := codec.Marshal(tt.v)
			if err != nil || hex.EncodeToString(got) != tt.plain {
				t.Errorf("Marshal = %x, %v; want %s", got, err, tt.plain)
			}
			want := tt.canonical
			if want == "" {
				want = tt.plain
			}
			got, err = codec.MarshalCanonical(tt.v)
			if want == "error" {
				if !errors.Is(err, codec.ErrUnsupportedType) {
					t.Errorf("MarshalCanonical error = %v, want ErrUnsupportedType", err)
				}
				return
			}
			if err != nil || hex.EncodeToString(got) != want {
				t.Errorf("MarshalCanonical = %x, %v; want %s", got, err, want)
			}
		})
	}
}

type json8 []byte
type color string

func ptr[T any](v T) *T { return &v }

func zeros(n int) string {
	b := make([]byte, n)
	return hex.EncodeToString(b)
}

func TestMarshalTimeText(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		text string
	}{
		{"utc whole second", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "2024-01-01T00:00:00+00:00"},
		{"microseconds", time.Date(2024, 1, 1, 12, 30, 45, 123456000, time.UTC), "2024-01-01T12:30:45.123456+00:00"},
		{"nanoseconds floored", time.Date(2024, 1, 1, 12, 30, 45, 999999999, time.UTC), "2024-01-01T12:30:45.999999+00:00"},
		{"leading zero microseconds", time.Date(2024, 1, 1, 0, 0, 0, 5000, time.UTC), "2024-01-01T00:00:00.000005+00:00"},
		{"positive offset", time.Date(2024, 1, 1, 18, 0, 45, 0, time.FixedZone("IST", 5*3600+1800)), "2024-01-01T18:00:45+05:30"},
		{"negative offset", time.Date(2024, 6, 1, 1, 2, 3, 0, time.FixedZone("", -8*3600)), "2024-06-01T01:02:03-08:00"},
		{"offset with seconds", time.Date(1900, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 3600+15*60+7)), "1900-01-01T00:00:00+01:15:07"},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00+00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := codec.Marshal(tt.t)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := codec.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["__datetime__"] != true || m["value"] != tt.text || len(m) != 2 {
				t.Fatalf("sentinel = %v, want value %q", m, tt.text)
			}
			var back time.Time
			if err := codec.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Equal(tt.t.Truncate(time.Microsecond)) {
				t.Fatalf("revived %v, want %v", back, tt.t)
			}
			if _, off := back.Zone(); func() bool { _, o := tt.t.Zone(); return o != off }() {
				t.Fatalf("revived offset %d, want the original's", off)
			}
		})
	}
	for _, year := range []int{0, -5, 10000} {
		_, err := codec.Marshal(time.Date(year, 3, 1, 0, 0, 0, 0, time.UTC))
		if !errors.Is(err, codec.ErrTimeRange) {
			t.Errorf("year %d: error %v, want ErrTimeRange", year, err)
		}
	}
}

// TestMarshalClockTime: a time on January 1 of year 0 is a clock time, written as a
// __time__ sentinel, and reads back unchanged.
func TestMarshalClockTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		text string
	}{
		{time.Date(0, 1, 1, 10, 30, 0, 0, time.UTC), "10:30:00"},
		{time.Date(0, 1, 1, 23, 59, 59, 5000, time.UTC), "23:59:59.000005"},
		{time.Date(0, 1, 1, 8, 0, 0, 0, time.FixedZone("", -5*3600)), "08:00:00-05:00"},
	}
	for _, tt := range tests {
		b, err := codec.MarshalCanonical(tt.t)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := codec.Unmarshal(b, &m); err != nil || m["__time__"] != true || m["value"] != tt.text || len(m) != 2 {
			t.Fatalf("%v: sentinel %v, %v; want value %q", tt.t, m, err, tt.text)
		}
		var back time.Time
		if err := codec.Unmarshal(b, &back); err != nil || !back.Equal(tt.t) {
			t.Fatalf("%v: revived %v, %v", tt.t, back, err)
		}
	}
}

type node struct{ Next *node }

func TestMarshalErrors(t *testing.T) {
	cyclic := &node{}
	cyclic.Next = cyclic
	var selfRef any
	selfRef = &selfRef
	tests := []struct {
		name      string
		v         any
		canonical bool
		want      error
	}{
		{"channel", make(chan int), false, codec.ErrUnsupportedType},
		{"function", func() {}, false, codec.ErrUnsupportedType},
		{"complex", complex(1, 2), false, codec.ErrUnsupportedType},
		{"channel in a map", map[string]any{"c": make(chan int)}, false, codec.ErrUnsupportedType},
		{"struct cycle", cyclic, false, codec.ErrTooDeep},
		{"pointer cycle", selfRef, false, codec.ErrTooDeep},
		{"non-string key", map[int]string{1: "a"}, true, codec.ErrNonStringKey},
		{"invalid UTF-8 value", "\xff", true, codec.ErrInvalidUTF8},
		{"invalid UTF-8 key", map[string]int{"\xfe": 1}, true, codec.ErrInvalidUTF8},
		{"invalid UTF-8 key in map[string]any", map[string]any{"\xfe": 1}, true, codec.ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := codec.Marshal
			if tt.canonical {
				enc = codec.MarshalCanonical
			}
			_, err := enc(tt.v)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var ee *codec.EncodeError
			if !errors.As(err, &ee) || ee.Type == "" {
				t.Fatalf("error %v is not an *EncodeError naming the type", err)
			}
		})
	}
	// Plain Marshal keeps Go strings as they are, valid UTF-8 or not.
	if b, err := codec.Marshal("\xff"); err != nil || hex.EncodeToString(b) != "a1ff" {
		t.Errorf("Marshal(invalid UTF-8) = %x, %v", b, err)
	}
}

// TestCanonicalIgnoresInsertionOrder builds the same map by inserting keys in many
// orders: the canonical bytes never change and are sorted by code point.
func TestCanonicalIgnoresInsertionOrder(t *testing.T) {
	keys := []string{"b", "a", "A", "ab", "\uff61", "\U00010000", "a-b", "a_b", ""}
	var first []byte
	for shift := range keys {
		m := map[string]any{}
		for i := range keys {
			k := keys[(i+shift)%len(keys)]
			m[k] = map[string]int{k + "2": 2, k + "1": 1}
		}
		b, err := codec.MarshalCanonical(m)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Fatalf("insertion order %d changed the bytes", shift)
		}
	}
	// Read the keys back in stream order with an independent decoder.
	dec := msgpack.NewDecoder(bytes.NewReader(first))
	n, err := dec.DecodeMapLen()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for range n {
		k, err := dec.DecodeString()
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, k)
		if err := dec.Skip(); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"", "A", "a", "a-b", "a_b", "ab", "b", "\uff61", "\U00010000"}
	if !slices.Equal(order, want) {
		t.Fatalf("key order %q, want %q", order, want)
	}
}
