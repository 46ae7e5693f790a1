package codec_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

type interopFile struct {
	KeyVectors          []keyVector          `json:"key_vectors"`
	ValueVectors        []valueVector        `json:"value_vectors"`
	ReaderRejectVectors []readerRejectVector `json:"reader_reject_vectors"`
}

type keyVector struct {
	Name             string `json:"name"`
	Args             []any  `json:"args"`
	CanonicalArgsHex string `json:"canonical_args_hex"`
}

type valueVector struct {
	Name                string `json:"name"`
	Value               any    `json:"value"`
	CanonicalMsgpackHex string `json:"canonical_msgpack_hex"`
}

type readerRejectVector struct {
	Name       string `json:"name"`
	MsgpackHex string `json:"msgpack_hex"`
}

// readerVector keeps "value" optional: two reader vectors carry none.
type readerVector struct {
	Name       string `json:"name"`
	MsgpackHex string `json:"msgpack_hex"`
	Value      any
	HasValue   bool
}

// temporalVector is a row of wire-format.json's temporal_sentinel_vectors.
type temporalVector struct {
	Name       string `json:"name"`
	PayloadHex string `json:"payload_hex"`
	RevivesTo  struct {
		Type string `json:"type"`
		ISO  string `json:"iso"`
	} `json:"revives_to"`
}

// frameErrorVector is the part of a python-frame.json error_vectors row read here.
type frameErrorVector struct {
	Name     string `json:"name"`
	FrameHex string `json:"frame_hex"`
}

// name names a vector's subtest (for vectortest.Each).
func (v keyVector) name() string          { return v.Name }
func (v valueVector) name() string        { return v.Name }
func (v readerRejectVector) name() string { return v.Name }
func (v readerVector) name() string       { return v.Name }
func (v temporalVector) name() string     { return v.Name }
func (v frameErrorVector) name() string   { return v.Name }

func loadReaderVectors(t *testing.T) []readerVector {
	var raw struct {
		ReaderAcceptVectors []map[string]any `json:"reader_accept_vectors"`
	}
	vectortest.Load(t, "interop-mode.json", &raw)
	var out []readerVector
	for _, m := range raw.ReaderAcceptVectors {
		v, has := m["value"]
		out = append(out, readerVector{Name: m["name"].(string), MsgpackHex: m["msgpack_hex"].(string), Value: v, HasValue: has})
	}
	return out
}

// TestValueVectors proves MarshalCanonical against value_vectors, and that the strict
// reader decodes each canonical document back to its value.
func TestValueVectors(t *testing.T) {
	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	if len(f.ValueVectors) != 6 {
		t.Errorf("want 6 value vectors, have %d", len(f.ValueVectors))
	}
	vectortest.Each(t, "interop-mode.json", "value_vectors", f.ValueVectors, valueVector.name, func(t *testing.T, vec valueVector) {
		want := vectortest.MustHex(t, vec.CanonicalMsgpackHex)
		value, ok := untag(t, vec.Value)
		if !ok {
			t.Fatal("value not representable")
		}
		got, err := codec.MarshalCanonical(value)
		if err != nil {
			t.Fatalf("MarshalCanonical: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("MarshalCanonical\n got %x\nwant %x", got, want)
		}
		var back any
		if err := codec.UnmarshalStrict(want, &back); err != nil {
			t.Fatalf("UnmarshalStrict: %v", err)
		}
		if _, isTime := back.(time.Time); !isTime && !same(back, value) {
			t.Fatalf("UnmarshalStrict = %#v, want %#v", back, value)
		}
	})
}

// TestDatetimeValueVectorFromTime checks that a time.Time encodes to the bytes of the
// datetime_sentinel_value vector, and that they revive to the same instant.
func TestDatetimeValueVectorFromTime(t *testing.T) {
	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	for _, vec := range f.ValueVectors {
		if vec.Name != "datetime_sentinel_value" {
			continue
		}
		want := vectortest.MustHex(t, vec.CanonicalMsgpackHex)
		when := time.Date(2024, 1, 1, 12, 30, 45, 123456789, time.UTC) // nanoseconds are floored
		for name, enc := range map[string]func(any) ([]byte, error){"Marshal": codec.Marshal, "MarshalCanonical": codec.MarshalCanonical} {
			got, err := enc(when)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s(time) = %x, %v; want %x", name, got, err, want)
			}
		}
		var back time.Time
		if err := codec.UnmarshalStrict(want, &back); err != nil || !back.Equal(when.Truncate(time.Microsecond)) {
			t.Errorf("UnmarshalStrict = %v, %v", back, err)
		}
		return
	}
	t.Fatal("datetime_sentinel_value vector missing")
}

// TestCanonicalArgsBytes checks MarshalCanonical against every key vector whose
// arguments are already in normal form (no floats, sets, datetimes or UUIDs), which
// covers every width boundary of ints, str, bin, arrays and maps; and checks that every
// canonical_args_hex is a fixed point of UnmarshalStrict followed by MarshalCanonical.
func TestCanonicalArgsBytes(t *testing.T) {
	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	vectortest.Each(t, "interop-mode.json", "key_vectors canonical bytes (codec)", f.KeyVectors, keyVector.name, func(t *testing.T, vec keyVector) {
		want := vectortest.MustHex(t, vec.CanonicalArgsHex)
		if args, ok := untag(t, vec.Args); ok && !hasFloat(args) {
			got, err := codec.MarshalCanonical(args)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("MarshalCanonical(args) = %x, %v\nwant %x", got, err, want)
			}
		}
		var back any
		if err := codec.UnmarshalStrict(want, &back); err != nil {
			t.Fatalf("UnmarshalStrict: %v", err)
		}
		again, err := codec.MarshalCanonical(back)
		if err != nil || !bytes.Equal(again, want) {
			t.Fatalf("re-encoded %x, %v\nwant %x", again, err, want)
		}
	})
}

// hasFloat reports whether v holds a float, which the key profile would collapse.
func hasFloat(v any) bool {
	switch x := v.(type) {
	case float64:
		return true
	case []any:
		for _, el := range x {
			if hasFloat(el) {
				return true
			}
		}
	case map[string]any:
		for _, el := range x {
			if hasFloat(el) {
				return true
			}
		}
	}
	return false
}

// TestReaderVectors runs reader_accept_vectors and reader_reject_vectors through
// UnmarshalStrict (and the accepting ones through Unmarshal too).
func TestReaderVectors(t *testing.T) {
	accept := loadReaderVectors(t)
	if len(accept) != 6 {
		t.Errorf("want 6 reader_accept_vectors, have %d", len(accept))
	}
	// The two vectors without a tagged value, decoded by hand from the MessagePack spec.
	untagged := map[string]any{
		"reader_non_string_map_key": map[any]any{int64(1): int64(42)},
		"reader_ext_type":           codec.Ext{Type: 1, Data: []byte{0x2a}},
	}
	vectortest.Each(t, "interop-mode.json", "reader_accept_vectors", accept, readerVector.name, func(t *testing.T, vec readerVector) {
		data := vectortest.MustHex(t, vec.MsgpackHex)
		want, known := untagged[vec.Name]
		if vec.HasValue {
			want, known = untag(t, vec.Value)
		}
		if !known {
			t.Fatal("no expected value for this vector")
		}
		for name, dec := range map[string]func([]byte, any) error{"UnmarshalStrict": codec.UnmarshalStrict, "Unmarshal": codec.Unmarshal} {
			var got any
			if err := dec(data, &got); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !same(got, want) {
				t.Fatalf("%s = %#v, want %#v", name, got, want)
			}
		}
	})

	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	vectortest.Each(t, "interop-mode.json", "reader_reject_vectors", f.ReaderRejectVectors, readerRejectVector.name, func(t *testing.T, vec readerRejectVector) {
		var got any
		err := codec.UnmarshalStrict(vectortest.MustHex(t, vec.MsgpackHex), &got)
		if !errors.Is(err, codec.ErrTrailingBytes) {
			t.Fatalf("UnmarshalStrict error = %v, want ErrTrailingBytes", err)
		}
		if errors.Is(err, codec.ErrPythonFrame) {
			t.Fatal("a plain trailing byte was reported as a CK frame")
		}
	})
}

// TestTemporalSentinelVectors revives the temporal_sentinel_vectors of wire-format.json.
func TestTemporalSentinelVectors(t *testing.T) {
	var f struct {
		Vectors []temporalVector `json:"temporal_sentinel_vectors"`
	}
	vectortest.Load(t, "wire-format.json", &f)
	if len(f.Vectors) != 3 {
		t.Errorf("want 3 temporal vectors, have %d", len(f.Vectors))
	}
	// The expected instants, written out from the vectors' "iso" texts by hand.
	want := map[string]time.Time{
		"datetime": time.Date(2025, 11, 14, 10, 30, 0, 0, time.UTC),
		"date":     time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC),
		"time":     time.Date(0, 1, 1, 10, 30, 0, 0, time.UTC),
	}
	vectortest.Each(t, "wire-format.json", "temporal_sentinel_vectors", f.Vectors, temporalVector.name, func(t *testing.T, vec temporalVector) {
		data := vectortest.MustHex(t, vec.PayloadHex)
		expect, ok := want[vec.RevivesTo.Type]
		if !ok {
			t.Fatalf("unknown temporal type %q", vec.RevivesTo.Type)
		}
		var v any
		if err := codec.Unmarshal(data, &v); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		got, isTime := v.(time.Time)
		if !isTime || !got.Equal(expect) {
			t.Fatalf("Unmarshal revived %#v, want %v", v, expect)
		}
		var typed struct{ When time.Time }
		wrapped := append([]byte{0x81, 0xa4, 'W', 'h', 'e', 'n'}, data...)
		if err := codec.UnmarshalStrict(wrapped, &typed); err != nil || !typed.When.Equal(expect) {
			t.Fatalf("UnmarshalStrict into a time.Time field = %v, %v", typed.When, err)
		}
		if vec.RevivesTo.Type != "date" { // a date revives to a time.Time, written back as a datetime
			b, err := codec.MarshalCanonical(expect)
			if err != nil || !bytes.Equal(b, data) {
				t.Fatalf("MarshalCanonical(%v) = %x, %v; want %x", expect, b, err, data)
			}
		}
	})
}

// TestPythonFrameFedToReader runs python-frame.json's ck_frame_fed_to_interop_reader.
func TestPythonFrameFedToReader(t *testing.T) {
	var f struct {
		ErrorVectors []frameErrorVector `json:"error_vectors"`
	}
	vectortest.Load(t, "python-frame.json", &f)
	fed := slices.DeleteFunc(f.ErrorVectors, func(v frameErrorVector) bool { return v.Name != "ck_frame_fed_to_interop_reader" })
	vectortest.Each(t, "python-frame.json", "error_vectors (interop reader)", fed, frameErrorVector.name, func(t *testing.T, vec frameErrorVector) {
		data, err := hex.DecodeString(vec.FrameHex)
		if err != nil {
			t.Fatal(err)
		}
		for name, dec := range map[string]func([]byte, any) error{"UnmarshalStrict": codec.UnmarshalStrict, "Unmarshal": codec.Unmarshal} {
			var v any
			err := dec(data, &v)
			if !errors.Is(err, codec.ErrPythonFrame) || !errors.Is(err, codec.ErrTrailingBytes) {
				t.Fatalf("%s error = %v, want ErrPythonFrame", name, err)
			}
		}
	})
	if len(fed) == 0 {
		t.Fatal("ck_frame_fed_to_interop_reader missing")
	}
}
