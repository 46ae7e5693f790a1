package codec_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// TestUnmarshalRefusesMisfits covers the refusals of the typed decoders that the
// happy-path tables do not reach: each input is well-formed MessagePack that does not fit
// its target, and the error must carry the sentinel a caller branches on.
func TestUnmarshalRefusesMisfits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		target any
		want   error
		strict bool
	}{
		{"int into Ext", "01", new(codec.Ext), codec.ErrTypeMismatch, true},
		{"ext of another type into time", "d60500000001", new(time.Time), codec.ErrTypeMismatch, true},
		{"timestamp ext of 12 bytes with nanoseconds over 1e9", "c70cff3b9aca000000000000000005", new(time.Time), codec.ErrTypeMismatch, true},
		{"timestamp ext of 8 bytes with nanoseconds over 1e9", "d7ffee6b280000000005", new(time.Time), codec.ErrTypeMismatch, true},
		{"timestamp ext of 5 bytes", "c705ff0000000001", new(time.Time), codec.ErrTypeMismatch, true},
		{"sentinel with an int key into time", "8201c3a576616c7565aa323032352d31312d3134", new(time.Time), codec.ErrTypeMismatch, true},
		{"sentinel with a third key into time", "83a85f5f646174655f5fc3a576616c7565aa323032352d31312d3134a178c0", new(time.Time), codec.ErrTypeMismatch, true},
		{"sentinel with bad text into time", "82a85f5f646174655f5fc3a576616c7565a3616263", new(time.Time), codec.ErrInvalidTemporal, true},
		{"bin longer than the byte array", "c403010203", new([2]byte), codec.ErrTypeMismatch, true},
		{"map into an int array", "80", new([2]int), codec.ErrTypeMismatch, true},
		{"int key into map[string]any", "8101c3", new(map[string]any), codec.ErrTypeMismatch, false},
		{"bin key into map[string]any, strict", "81c4016bc3", new(map[string]any), codec.ErrTypeMismatch, true},
		{"array key into map[any]any", "8191012a", new(map[any]any), codec.ErrUnhashableKey, true},
		{"map key into map[any]int", "81800a", new(map[any]int), codec.ErrUnhashableKey, true},
		{"str into bool", "a3796573", new(bool), codec.ErrTypeMismatch, true},
		{"str into float64", "a3312e35", new(float64), codec.ErrTypeMismatch, true},
		{"str into an int field", "81a161a3616263", new(struct {
			A int `json:"a"`
		}), codec.ErrTypeMismatch, true},
		{"str element in an int slice", "9201a178", new([]int), codec.ErrTypeMismatch, true},
		{"str element in an int array", "9201a178", new([2]int), codec.ErrTypeMismatch, true},
		{"str value in map[string]int", "81a161a178", new(map[string]int), codec.ErrTypeMismatch, true},
		{"negative element in a uint slice", "9201ff", new([]uint), codec.ErrTypeMismatch, true},
		{"duplicate sentinel keys whose last text is bad", "83a576616c7565b3323032342d30312d30315430303a30303a3030ac5f5f6461746574696d655f5fc3a576616c7565a3616263", new(any), codec.ErrInvalidTemporal, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec := codec.Unmarshal
			if tt.strict {
				dec = codec.UnmarshalStrict
			}
			err := dec(mustHex(t, tt.in), tt.target)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var de *codec.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *codec.DecodeError", err)
			}
		})
	}
}

// TestUnmarshalAcceptsNearMisfits pins the other side of the refusals above: the
// lenient forms the same decoders accept.
func TestUnmarshalAcceptsNearMisfits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		target any
		want   any
	}{
		{"bin key into map[string]any, lenient", "81c4016bc3", new(map[string]any), map[string]any{"k": true}},
		{"nil key into map[string]any", "81c001", new(map[string]any), map[string]any{"": int64(1)}},
		{"bool into a bool field", "81a161c3", new(struct {
			A bool `json:"a"`
		}), struct {
			A bool `json:"a"`
		}{A: true}},
		{"ext into an Ext field", "81a165d4022a", new(struct {
			E codec.Ext `json:"e"`
		}), struct {
			E codec.Ext `json:"e"`
		}{E: codec.Ext{Type: 2, Data: []byte{0x2a}}}},
		{"nil key into map[int]string", "81c0a178", new(map[int]string), map[int]string{0: "x"}},
		{"sentinel with duplicate keys into time", "83a85f5f646174655f5fc3a576616c7565a3616263a576616c7565aa323032352d31312d3134", new(time.Time),
			time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := codec.Unmarshal(mustHex(t, tt.in), tt.target); err != nil {
				t.Fatal(err)
			}
			got := reflect.ValueOf(tt.target).Elem().Interface()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestInvalidTimestampExtStaysExt: a timestamp extension whose payload is not one of
// the three timestamp layouts is not a time, so a decode into an interface keeps it as
// the extension it is rather than failing or inventing an instant.
func TestInvalidTimestampExtStaysExt(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, payload string }{
		{"c70cff3b9aca000000000000000005", "3b9aca000000000000000005"},
		{"d7ffee6b280000000005", "ee6b280000000005"},
		{"c705ff0000000001", "0000000001"},
	}
	for _, tt := range tests {
		var got any
		if err := codec.UnmarshalStrict(mustHex(t, tt.in), &got); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		want := codec.Ext{Type: -1, Data: mustHex(t, tt.payload)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %#v, want %#v", tt.in, got, want)
		}
	}
}

// TestDuplicateSentinelKeysRevive: a map whose repeated keys collapse into a temporal
// sentinel is read as Python's dict would be (the last value wins) and revived.
func TestDuplicateSentinelKeysRevive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		{"value repeated, the last parses", "83a576616c7565a3616263ac5f5f6461746574696d655f5fc3a576616c7565b3323032342d30312d30315430303a30303a3030",
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"marker repeated", "83a85f5f646174655f5fc3a85f5f646174655f5fc3a576616c7565aa323032352d31312d3134",
			time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any
			if err := codec.Unmarshal(mustHex(t, tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if gt, ok := got.(time.Time); !ok || !gt.Equal(tt.want) {
				t.Fatalf("got %#v, want %v", got, tt.want)
			}
		})
	}
}

// TestDecodeErrorDoesNotQuoteInput: the bytes being decoded may be a user's data, so a
// refusal names the offset and the types, never the value.
func TestDecodeErrorDoesNotQuoteInput(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-password"
	in, err := codec.Marshal(map[string]any{"pw": secret})
	if err != nil {
		t.Fatal(err)
	}
	var n map[string]int
	err = codec.Unmarshal(in, &n)
	var de *codec.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, codec.ErrTypeMismatch) {
		t.Fatalf("error = %v, want a *DecodeError of ErrTypeMismatch", err)
	}
	if de.Offset <= 0 || de.Offset >= len(in) {
		t.Errorf("Offset = %d, want the position of the value inside the %d-byte input", de.Offset, len(in))
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.HasPrefix(msg, "codec:") {
		t.Errorf("message %q quotes the input or lacks the package prefix", msg)
	}
}

// TestEncodeErrorNamesTypeNotValue: a value that cannot be encoded is reported by its
// Go type; the other fields of the struct (perhaps a secret) stay out of the message.
func TestEncodeErrorNamesTypeNotValue(t *testing.T) {
	t.Parallel()
	type login struct {
		Password string   `json:"password"`
		Notify   chan int `json:"notify"`
	}
	for _, marshal := range []func(any) ([]byte, error){codec.Marshal, codec.MarshalCanonical} {
		_, err := marshal(login{Password: "hunter2-password", Notify: make(chan int)})
		var ee *codec.EncodeError
		if !errors.As(err, &ee) || !errors.Is(err, codec.ErrUnsupportedType) {
			t.Fatalf("error = %v, want an *EncodeError of ErrUnsupportedType", err)
		}
		if ee.Type != "chan int" {
			t.Errorf("Type = %q, want %q", ee.Type, "chan int")
		}
		if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "chan int") {
			t.Errorf("message %q quotes the value or does not name the type", msg)
		}
	}
}

type nestedSlice []nestedSlice

// TestMarshalRefusesBadContainers covers encoder refusals inside typed containers:
// depth through a typed slice, a key with no encoding, a value with no encoding in
// canonical (sorted) order, and a field name canonical MessagePack cannot carry.
func TestMarshalRefusesBadContainers(t *testing.T) {
	t.Parallel()
	deep := nestedSlice{}
	for range codec.MaxDepth + 1 {
		deep = nestedSlice{deep}
	}
	type badName struct {
		A int `msgpack:"\xff"` // the tag unquotes to the single byte 0xff
	}
	tests := []struct {
		name      string
		v         any
		canonical bool
		want      error
	}{
		{"typed slice nested too deep", deep, false, codec.ErrTooDeep},
		{"typed slice nested too deep, canonical", deep, true, codec.ErrTooDeep},
		{"channel map key", map[any]int{make(chan int): 1}, false, codec.ErrUnsupportedType},
		{"channel in a typed map, canonical", map[string]chan int{"a": make(chan int)}, true, codec.ErrUnsupportedType},
		{"function in a typed slice", []func(){func() {}}, false, codec.ErrUnsupportedType},
		{"field name not UTF-8, canonical", badName{A: 1}, true, codec.ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			marshal := codec.Marshal
			if tt.canonical {
				marshal = codec.MarshalCanonical
			}
			if _, err := marshal(tt.v); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	// The plain writer carries any field name, as the other SDKs' writers do.
	if _, err := codec.Marshal(badName{A: 1}); err != nil {
		t.Fatalf("Marshal of a non-UTF-8 field name: %v", err)
	}
}
