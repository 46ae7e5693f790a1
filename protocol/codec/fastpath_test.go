package codec_test

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// fastPathDocs are single values every target below is tried on: the forms the inline
// fast paths read (fixint, fixstr, float64, bool), the forms they leave to the general
// decoder, and values that do not fit.
var fastPathDocs = map[string]string{
	"fixint":        "2a",
	"neg fixint":    "ff",
	"uint8 200":     "ccc8",
	"uint16 300":    "cd012c",
	"uint64 max":    "cfffffffffffffffff",
	"int8 -100":     "d09c",
	"float64 2":     "cb4000000000000000",
	"float64 2.5":   "cb4004000000000000",
	"float32 1.5":   "ca3fc00000",
	"true":          "c3",
	"false":         "c2",
	"nil":           "c0",
	"fixstr":        "a3616263",
	"str8":          "d903616263",
	"bin8":          "c403010203",
	"array":         "920102",
	"map":           "81a161c3",
	"datetime":      "82ac5f5f6461746574696d655f5fc3a576616c7565d920323032342d30312d30315431323a33303a34352e3132333435362b30303a3030",
	"bad datetime":  "82ac5f5f6461746574696d655f5fc3a576616c7565a3616263",
	"timestamp ext": "d6ff00000001",
}

// wrap builds {"V": doc} and [doc], the documents that reach the field and element
// decoders with the same value.
func wrap(doc []byte) (asField, asElem []byte) {
	return append([]byte{0x81, 0xa1, 'V'}, doc...), append([]byte{0x91}, doc...)
}

// decodeThree decodes doc into a T directly (the top-level fast paths), as the field
// of a struct and as the element of a slice (the plans and their inline leaves).
func decodeThree[T any](t *testing.T, dec func([]byte, any) error, doc []byte) (vals [3]T, errs [3]error) {
	t.Helper()
	asField, asElem := wrap(doc)
	errs[0] = dec(doc, &vals[0])
	var s struct{ V T }
	errs[1] = dec(asField, &s)
	vals[1] = s.V
	var sl []T
	errs[2] = dec(asElem, &sl)
	if len(sl) == 1 {
		vals[2] = sl[0]
	}
	return vals, errs
}

func agree[T any](t *testing.T, name string, dec func([]byte, any) error, doc []byte) {
	t.Helper()
	vals, errs := decodeThree[T](t, dec, doc)
	for i, how := range []string{"as a field", "as an element"} {
		if (errs[0] == nil) != (errs[i+1] == nil) {
			t.Errorf("%s into %T: top level error %v, %s error %v", name, vals[0], errs[0], how, errs[i+1])
			continue
		}
		for _, sentinel := range []error{codec.ErrTypeMismatch, codec.ErrInvalidTemporal} {
			if errors.Is(errs[0], sentinel) != errors.Is(errs[i+1], sentinel) {
				t.Errorf("%s into %T: top level error %v, %s error %v", name, vals[0], errs[0], how, errs[i+1])
			}
		}
		if errs[0] == nil && !reflect.DeepEqual(vals[0], vals[i+1]) {
			t.Errorf("%s into %T: top level %#v, %s %#v", name, vals[0], vals[0], how, vals[i+1])
		}
	}
}

// TestFastPathsAgree: the top-level fast paths (a *string, *int, *map[string]any, ...
// target), the inline leaves of struct fields and slice elements, and the general
// decoder give the same value, or the same class of error, for every document.
func TestFastPathsAgree(t *testing.T) {
	for name, h := range fastPathDocs {
		doc, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		for mode, dec := range map[string]func([]byte, any) error{"Unmarshal": codec.Unmarshal, "UnmarshalStrict": codec.UnmarshalStrict} {
			t.Run(mode+"/"+name, func(t *testing.T) {
				agree[int](t, name, dec, doc)
				agree[int8](t, name, dec, doc)
				agree[int64](t, name, dec, doc)
				agree[uint8](t, name, dec, doc)
				agree[uint64](t, name, dec, doc)
				agree[bool](t, name, dec, doc)
				agree[float64](t, name, dec, doc)
				agree[float32](t, name, dec, doc)
				agree[string](t, name, dec, doc)
				agree[[]byte](t, name, dec, doc)
				agree[time.Time](t, name, dec, doc)
				agree[map[string]any](t, name, dec, doc)
				agree[any](t, name, dec, doc)
			})
		}
	}
}

// TestTwoEntryMapsThatAreNotSentinels: a two-entry map is revived only when it is
// exactly {marker: true, "value": <str>}; anything else decodes as the map it is.
func TestTwoEntryMapsThatAreNotSentinels(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
	}{
		{"marker false", map[string]any{"__date__": false, "value": "2024-01-01"}},
		{"value not a string", map[string]any{"__datetime__": true, "value": int64(1)}},
		{"two markers", map[string]any{"__datetime__": true, "__date__": true}},
		{"unknown marker", map[string]any{"__instant__": true, "value": "2024-01-01"}},
		{"no marker", map[string]any{"other": true, "value": "2024-01-01"}},
		{"value is a map", map[string]any{"__date__": true, "value": map[string]any{"a": int64(1)}}},
		{"value is bin", map[string]any{"__date__": true, "value": []byte("2024-01-01")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := codec.MarshalCanonical(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := codec.Unmarshal(doc, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, any(tt.in)) {
				t.Fatalf("decoded %#v, want the map %#v", got, tt.in)
			}
		})
	}
	// In either order, a sentinel is revived, inside containers too.
	for _, h := range []string{
		"91 82 a8 5f5f646174655f5f c3 a5 76616c7565 aa 323032342d30312d3031",
		"91 82 a5 76616c7565 aa 323032342d30312d3031 a8 5f5f646174655f5f c3",
	} {
		doc, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		var got []any
		if err := codec.Unmarshal(doc, &got); err != nil {
			t.Fatal(err)
		}
		want := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if tm, ok := got[0].(time.Time); !ok || !tm.Equal(want) {
			t.Fatalf("% x decoded %#v, want %v", doc, got, want)
		}
	}
}
