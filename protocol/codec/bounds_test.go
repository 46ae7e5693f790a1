package codec_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

func nested(open byte, levels int, leaf ...byte) []byte {
	return append(bytes.Repeat([]byte{open}, levels), leaf...)
}

// TestBoundedDecode feeds hostile and malformed documents to both readers: each must be
// refused with the named sentinel inside a *DecodeError.
func TestBoundedDecode(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, codec.ErrTruncated},
		{"never used byte", []byte{0xc1}, codec.ErrInvalidFormat},
		{"never used byte inside array", []byte{0x92, 0x01, 0xc1}, codec.ErrInvalidFormat},
		{"uint16 missing a byte", []byte{0xcd, 0x01}, codec.ErrTruncated},
		{"float64 missing bytes", []byte{0xcb, 0x40, 0x00}, codec.ErrTruncated},
		{"str8 missing its length", []byte{0xd9}, codec.ErrTruncated},
		{"array16 missing its length", []byte{0xdc, 0x00}, codec.ErrTruncated},
		{"ext8 missing its type", []byte{0xc7, 0x00}, codec.ErrTruncated},
		{"array32 declaring 2^32-1 elements", []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x00}, codec.ErrDeclaredLength},
		{"map32 declaring 2^32-1 pairs", []byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00}, codec.ErrDeclaredLength},
		{"bin32 declaring 4 GiB", []byte{0xc6, 0xff, 0xff, 0xff, 0xff, 0x00}, codec.ErrDeclaredLength},
		{"str32 declaring 2 GiB", []byte{0xdb, 0x7f, 0xff, 0xff, 0xff, 'a'}, codec.ErrDeclaredLength},
		{"ext32 declaring 4 GiB", []byte{0xc9, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}, codec.ErrDeclaredLength},
		{"array missing its last element", []byte{0x92, 0x01}, codec.ErrDeclaredLength},
		{"fixstr longer than the input", []byte{0xa5, 'a', 'b'}, codec.ErrDeclaredLength},
		// The inner array's 4 elements fit in the 4 bytes after its header, but with the
		// outer array's 2 the document declares 6 > len-1: the rule is global.
		{"declared sum exceeds the input", []byte{0x92, 0x94, 0x01, 0x01, 0x01, 0x01}, codec.ErrDeclaredLength},
		{"map with a missing value", []byte{0x81, 0xa1, 'a'}, codec.ErrDeclaredLength},
		{"101 nested arrays", nested(0x91, 101, 0x00), codec.ErrTooDeep},
		{"101 nested maps", bytes.Repeat([]byte{0x81, 0x00}, 101), codec.ErrTooDeep},
		{"trailing byte", []byte{0x01, 0x00}, codec.ErrTrailingBytes},
		{"CK frame", []byte{0x43, 0x4b, 0x03, 0x00}, codec.ErrPythonFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, dec := range map[string]func([]byte, any) error{"Unmarshal": codec.Unmarshal, "UnmarshalStrict": codec.UnmarshalStrict} {
				var v any
				err := dec(tt.in, &v)
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s error = %v, want %v", name, err, tt.want)
				}
				var de *codec.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("%s error %T is not a *DecodeError", name, err)
				}
				if de.Offset < 0 || de.Offset > len(tt.in) {
					t.Fatalf("%s offset %d outside the input", name, de.Offset)
				}
			}
		})
	}
}

// TestDepthLimitBoundary: 100 levels are accepted, the 101st is not (a map counts as
// one level, like an array).
func TestDepthLimitBoundary(t *testing.T) {
	for _, open := range []byte{0x91, 0x81} {
		in := nested(0x91, codec.MaxDepth, 0x00)
		if open == 0x81 {
			in = append(bytes.Repeat([]byte{0x81, 0x00}, codec.MaxDepth), 0x00)
		}
		var v any
		if err := codec.UnmarshalStrict(in, &v); err != nil {
			t.Fatalf("%d levels of %#x refused: %v", codec.MaxDepth, open, err)
		}
		if _, err := codec.Marshal(v); err != nil {
			t.Fatalf("re-encoding %d levels: %v", codec.MaxDepth, err)
		}
		deeper := []any{v}
		if _, err := codec.Marshal(deeper); !errors.Is(err, codec.ErrTooDeep) {
			t.Fatalf("Marshal of %d levels: error %v, want ErrTooDeep", codec.MaxDepth+1, err)
		}
	}
}

// TestHostileInputAllocatesLittle: a few bytes that declare gigabytes cost no more than
// the error itself.
func TestHostileInputAllocatesLittle(t *testing.T) {
	inputs := [][]byte{
		{0xdd, 0xff, 0xff, 0xff, 0xff, 0x00},
		{0xc6, 0xff, 0xff, 0xff, 0xff, 0x00},
		{0xdf, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00},
		append([]byte{0xdc, 0xff, 0xff}, bytes.Repeat([]byte{0x91}, 200)...),
	}
	for _, in := range inputs {
		var v any
		allocs := testing.AllocsPerRun(20, func() { _ = codec.Unmarshal(in, &v) })
		if allocs > 3 {
			t.Errorf("% x: %v allocations per refused decode", in[:3], allocs)
		}
	}
}
