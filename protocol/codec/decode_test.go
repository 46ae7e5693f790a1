package codec_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/vmihailenco/msgpack/v5"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnmarshalAny pins the dynamic types a decode into *any produces.
func TestUnmarshalAny(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"nil", "c0", nil},
		{"positive fixint", "05", int64(5)},
		{"padded uint64", "cf0000000000000005", int64(5)},
		{"uint64 above MaxInt64", "cf8000000000000000", uint64(1 << 63)},
		{"int8 positive", "d005", int64(5)},
		{"negative fixint", "ff", int64(-1)},
		{"int64 min", "d38000000000000000", int64(math.MinInt64)},
		{"float32 widened", "ca3fc00000", 1.5},
		{"float64", "cb4000000000000000", 2.0},
		{"str", "a3616263", "abc"},
		{"empty bin is not nil", "c400", []byte{}},
		{"bin16", "c50002dead", []byte{0xde, 0xad}},
		{"array", "9301a178c0", []any{int64(1), "x", nil}},
		{"map", "82a161c3a162c2", map[string]any{"a": true, "b": false}},
		{"int key", "81012a", map[any]any{int64(1): int64(42)}},
		{"mixed keys", "82a161010202", map[any]any{"a": int64(1), int64(2): int64(2)}},
		{"ext", "d4012a", codec.Ext{Type: 1, Data: []byte{0x2a}}},
		{"timestamp fixext4", "d6ff00000001", time.Unix(1, 0).UTC()},
		{"timestamp fixext8", "d7ff0000000400000002", time.Unix(2, 1).UTC()},
		{"timestamp ext8", "c70cff00000003fffffffffffffffe", time.Unix(-2, 3).UTC()},
		{"sentinel with false marker stays a map", "82ac5f5f6461746574696d655f5fc2a576616c7565a178",
			map[string]any{"__datetime__": false, "value": "x"}},
		{"sentinel with a third key stays a map", "83a85f5f646174655f5fc3a576616c7565aa323032352d31312d3134a178c0",
			map[string]any{"__date__": true, "value": "2025-11-14", "x": nil}},
		{"naive datetime reads as UTC", "82ac5f5f6461746574696d655f5fc3a576616c7565b3323032342d30312d30315430303a30303a3030",
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"JavaScript toISOString", "82ac5f5f6461746574696d655f5fc3a576616c7565b8323032342d30312d30315430303a30303a30302e3132335a",
			time.Date(2024, 1, 1, 0, 0, 0, 123000000, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			if err := codec.UnmarshalStrict(mustHex(t, tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !same(got, tt.want) || reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, tt.want, tt.want)
			}
		})
	}
}

func TestUnmarshalAnyErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"array key", "8191012a", codec.ErrUnhashableKey},
		{"bin key after a string key", "82a16101c401002a", codec.ErrUnhashableKey},
		{"bad datetime text", "82ac5f5f6461746574696d655f5fc3a576616c7565a3616263", codec.ErrInvalidTemporal},
		{"bad date text", "82a85f5f646174655f5fc3a576616c7565a3616263", codec.ErrInvalidTemporal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			err := codec.Unmarshal(mustHex(t, tt.in), &got)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	for _, target := range []any{nil, 5, (*int)(nil), (*any)(nil), map[string]any{}} {
		if err := codec.Unmarshal([]byte{0x01}, target); !errors.Is(err, codec.ErrInvalidTarget) {
			t.Errorf("Unmarshal into %T: error %v, want ErrInvalidTarget", target, err)
		}
	}
}

type profile struct {
	Bio   string   `json:"bio"`
	Links []string `json:"links"`
}

type account struct {
	ID       uint64            `msgpack:"id"`
	Name     string            `json:"name"`
	Score    float64           `json:"score"`
	Tags     map[string]int    `json:"tags"`
	Profile  *profile          `json:"profile"`
	Created  time.Time         `json:"created"`
	Raw      []byte            `json:"raw"`
	Fixed    [4]byte           `json:"fixed"`
	Any      any               `json:"any"`
	Embedded withMeta          `json:"embedded"`
	ByCode   map[int16]string  `json:"by_code"`
	Nested   [][]int8          `json:"nested"`
	Ptrs     map[string]*inner `json:"ptrs"`
}

// Meta is exported so that a decode can allocate it when embedded by pointer.
type Meta struct {
	Version int `json:"version"`
}

type withMeta struct {
	*Meta
	Kind string
}

func sampleAccount() account {
	return account{
		ID:       math.MaxUint64,
		Name:     "alice",
		Score:    -2.5,
		Tags:     map[string]int{"a": 1, "b": -300},
		Profile:  &profile{Bio: "hi", Links: []string{"x", "y"}},
		Created:  time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.FixedZone("", -3600)),
		Raw:      []byte{0, 1, 2},
		Fixed:    [4]byte{9, 8, 7, 6},
		Any:      []any{int64(1), "two", map[string]any{"three": 3.0}},
		Embedded: withMeta{Meta: &Meta{Version: 4}, Kind: "k"},
		ByCode:   map[int16]string{-1: "minus", 404: "missing"},
		Nested:   [][]int8{{1, -1}, {}, nil},
		Ptrs:     map[string]*inner{"p": {ID: 5}, "nil": nil},
	}
}

func equalAccounts(a, b account) bool {
	if !a.Created.Equal(b.Created) {
		return false
	}
	a.Created, b.Created = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestStructRoundTrip(t *testing.T) {
	want := sampleAccount()
	b, err := codec.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	for name, dec := range map[string]func([]byte, any) error{"Unmarshal": codec.Unmarshal, "UnmarshalStrict": codec.UnmarshalStrict} {
		var got account
		if err := dec(b, &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !equalAccounts(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
	c, err := codec.MarshalCanonical(want)
	if err == nil {
		t.Fatalf("MarshalCanonical accepted map[int16]string keys: %x", c)
	}
}

// TestInteroperatesWithVmihailenco checks both directions against an independent
// MessagePack implementation, for a struct without time.Time (which that library writes
// as an extension, not as the protocol's sentinel map).
func TestInteroperatesWithVmihailenco(t *testing.T) {
	type sub struct {
		Bio   string   `msgpack:"bio"`
		Links []string `msgpack:"links"`
	}
	type plain struct {
		ID    uint64            `msgpack:"id"`
		Name  string            `msgpack:"name"`
		Score float64           `msgpack:"score"`
		Tags  map[string]int    `msgpack:"tags"`
		Raw   []byte            `msgpack:"raw"`
		List  []any             `msgpack:"list"`
		Sub   *sub              `msgpack:"sub"`
		Codes map[string]string `msgpack:"codes,omitempty"`
	}
	want := plain{ID: 1 << 40, Name: "bob", Score: 0.1, Tags: map[string]int{"x": -7}, Raw: []byte("raw"),
		List: []any{int64(-1), "s", true, nil, 1.25}, Sub: &sub{Bio: "b", Links: []string{}}}

	ours, err := codec.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var viaTheirs plain
	if err := msgpack.Unmarshal(ours, &viaTheirs); err != nil {
		t.Fatalf("vmihailenco cannot read Marshal output: %v", err)
	}
	if viaTheirs.Sub == nil || fmt.Sprint(*viaTheirs.Sub) != fmt.Sprint(*want.Sub) {
		t.Fatalf("vmihailenco read Sub %+v, want %+v", viaTheirs.Sub, want.Sub)
	}
	viaTheirs.Sub, want.Sub = nil, nil
	if fmt.Sprint(viaTheirs) != fmt.Sprint(want) {
		t.Fatalf("vmihailenco read\n%+v\nwant\n%+v", viaTheirs, want)
	}

	want.Sub = &sub{Bio: "b", Links: []string{}}
	theirs, err := msgpack.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var viaOurs plain
	if err := codec.Unmarshal(theirs, &viaOurs); err != nil {
		t.Fatalf("Unmarshal of vmihailenco output: %v", err)
	}
	if !reflect.DeepEqual(viaOurs, want) {
		t.Fatalf("Unmarshal read\n%+v\nwant\n%+v", viaOurs, want)
	}
}

func TestUnmarshalTyped(t *testing.T) {
	type small struct {
		A int8  `json:"a"`
		B uint8 `json:"b"`
	}
	tests := []struct {
		name   string
		in     string
		target any // pointer to a zero value
		want   any // the value the target points to afterwards; nil means an error
		strict bool
	}{
		{"int8 from uint", "7f", new(int8), int8(127), true},
		{"int8 overflow", "cc80", new(int8), nil, true},
		{"uint from negative", "ff", new(uint), nil, true},
		{"uint64 max", "cfffffffffffffffff", new(uint64), uint64(math.MaxUint64), true},
		{"int64 from uint64 max", "cfffffffffffffffff", new(int64), nil, true},
		{"float from int", "d0fb", new(float64), -5.0, true},
		{"float32 overflow", "cb7fefffffffffffff", new(float32), nil, true},
		{"integral float into int, lenient", "cb4000000000000000", new(int), 2, false},
		{"integral float into int, strict", "cb4000000000000000", new(int), nil, true},
		{"fractional float into int", "cb4004000000000000", new(int), nil, false},
		{"str into []byte, lenient", "a26869", new([]byte), []byte("hi"), false},
		{"str into []byte, strict", "a26869", new([]byte), nil, true},
		{"bin into string, lenient", "c4026869", new(string), "hi", false},
		{"bin into string, strict", "c4026869", new(string), nil, true},
		{"array of ints into []byte", "920102", new([]byte), []byte{1, 2}, true},
		{"bool from int", "01", new(bool), nil, true},
		{"nil into int", "c0", ptr(5), 0, true},
		{"nil into pointer", "c0", ptr(ptr(5)), (*int)(nil), true},
		{"short array zero fills", "9101", ptr([3]int{7, 7, 7}), [3]int{1, 0, 0}, true},
		{"long array refused", "93010203", new([2]int), nil, true},
		{"bin into byte array", "c4020102", new([4]byte), [4]byte{1, 2, 0, 0}, true},
		{"struct, unknown keys skipped", "83a161ffa17a92c0c0a16201", new(small), small{A: -1, B: 1}, true},
		{"struct, non-string key skipped", "82a1610101c3", new(small), small{A: 1}, true},
		{"struct from array", "920102", new(small), nil, true},
		{"map[int]string", "820aa17814a179", new(map[int]string), map[int]string{10: "x", 20: "y"}, true},
		{"map key type mismatch", "81a178a179", new(map[int]string), nil, true},
		{"slice of pointers", "92c001", new([]*int), []*int{nil, ptr(1)}, true},
		{"interface with methods", "a178", new(fmt.Stringer), nil, true},
		{"time from str", "a178", new(time.Time), nil, true},
		{"time from other map", "81a178c3", new(time.Time), nil, true},
		{"time from timestamp ext", "d6ff00000001", new(time.Time), time.Unix(1, 0).UTC(), true},
		{"ext target", "d4022a", new(codec.Ext), codec.Ext{Type: 2, Data: []byte{0x2a}}, true},
		{"chan target", "01", new(chan int), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := codec.Unmarshal
			if tt.strict {
				dec = codec.UnmarshalStrict
			}
			err := dec(mustHex(t, tt.in), tt.target)
			got := reflect.ValueOf(tt.target).Elem().Interface()
			if tt.want == nil {
				if !errors.Is(err, codec.ErrTypeMismatch) {
					t.Fatalf("error = %v (value %#v), want ErrTypeMismatch", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				if gt, ok := got.(time.Time); !ok || !gt.Equal(tt.want.(time.Time)) {
					t.Fatalf("got %#v, want %#v", got, tt.want)
				}
			}
		})
	}
}

// TestEmbeddedUnexportedPointer: encoding/json's rule, an embedded pointer to an
// unexported struct is written when set, and a decode that would need to allocate it
// is an error rather than a panic.
func TestEmbeddedUnexportedPointer(t *testing.T) {
	b, err := codec.Marshal(withEmbeddedPtr{inner: &inner{ID: 1}, Kind: "k"})
	if err != nil {
		t.Fatal(err)
	}
	var into withEmbeddedPtr
	if err := codec.Unmarshal(b, &into); !errors.Is(err, codec.ErrTypeMismatch) {
		t.Fatalf("error = %v, want ErrTypeMismatch", err)
	}
	into = withEmbeddedPtr{inner: &inner{}}
	if err := codec.Unmarshal(b, &into); err != nil || into.ID != 1 || into.Kind != "k" {
		t.Fatalf("decode into an allocated embedded pointer: %+v, %v", into, err)
	}
}

// TestDecodedBytesDoNotAliasInput: the caller may reuse the input buffer.
func TestDecodedBytesDoNotAliasInput(t *testing.T) {
	in := mustHex(t, "92a3616263c403010203")
	var v any
	if err := codec.Unmarshal(in, &v); err != nil {
		t.Fatal(err)
	}
	var s string
	var b []byte
	if err := codec.Unmarshal(in[1:5], &s); err != nil {
		t.Fatal(err)
	}
	if err := codec.Unmarshal(in[5:], &b); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0xff
	}
	if !same(v, []any{"abc", []byte{1, 2, 3}}) || s != "abc" || !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Fatalf("decoded values changed with the input: %#v %q %x", v, s, b)
	}
}

type selfPointer *selfPointer

// TestSelfReferentialTargets: decode targets that point back at themselves end in an
// error or a plain assignment, never in unbounded recursion.
func TestSelfReferentialTargets(t *testing.T) {
	var p selfPointer
	if err := codec.Unmarshal([]byte{0x01}, &p); !errors.Is(err, codec.ErrTypeMismatch) {
		t.Fatalf("type P *P: error %v, want ErrTypeMismatch", err)
	}
	var x any
	x = &x
	if err := codec.Unmarshal([]byte{0x01}, &x); err != nil || x != int64(1) {
		t.Fatalf("interface holding a pointer to itself: %v, %v", x, err)
	}
}
