package codec_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// seedCorpus adds every MessagePack document of the vector files, plus hostile shapes.
func seedCorpus(f *testing.F) {
	var interop struct {
		KeyVectors []struct {
			Hex string `json:"canonical_args_hex"`
		} `json:"key_vectors"`
		ValueVectors []struct {
			Hex string `json:"canonical_msgpack_hex"`
		} `json:"value_vectors"`
		Accept []struct {
			Hex string `json:"msgpack_hex"`
		} `json:"reader_accept_vectors"`
		Reject []struct {
			Hex string `json:"msgpack_hex"`
		} `json:"reader_reject_vectors"`
	}
	vectortest.Load(f, "interop-mode.json", &interop)
	var wire struct {
		Temporal []struct {
			Hex string `json:"payload_hex"`
		} `json:"temporal_sentinel_vectors"`
	}
	vectortest.Load(f, "wire-format.json", &wire)
	var hexes []string
	for _, v := range interop.KeyVectors {
		hexes = append(hexes, v.Hex)
	}
	for _, v := range interop.ValueVectors {
		hexes = append(hexes, v.Hex)
	}
	for _, v := range interop.Accept {
		hexes = append(hexes, v.Hex)
	}
	for _, v := range interop.Reject {
		hexes = append(hexes, v.Hex)
	}
	for _, v := range wire.Temporal {
		hexes = append(hexes, v.Hex)
	}
	hexes = append(hexes,
		"", "c1", "dd ffffffff 00", "c6ffffffff00", "d6ff00000001", "c70cff00000003fffffffffffffffe",
		"434b0300000002", "8191012a", "82a85f5f74696d655f5fc3a576616c7565a3616263")
	for _, h := range hexes {
		b, err := hex.DecodeString(stripSpaces(h))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(bytes.Repeat([]byte{0x91}, 120))
}

func stripSpaces(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil))
}

// FuzzUnmarshal: no input panics; an accepted document re-encodes with Marshal and
// decodes back to the same value.
func FuzzUnmarshal(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var typed account
		_ = codec.Unmarshal(data, &typed)
		var v any
		if err := codec.Unmarshal(data, &v); err != nil {
			var de *codec.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		b, err := codec.Marshal(v)
		if err != nil {
			// A timestamp extension revives into a time.Time, which Marshal writes as a
			// sentinel map: one level deeper, and limited to years 1-9999.
			if errors.Is(err, codec.ErrTimeRange) || errors.Is(err, codec.ErrTooDeep) {
				return
			}
			t.Fatalf("accepted input does not re-encode: %v", err)
		}
		var back any
		if err := codec.Unmarshal(b, &back); err != nil {
			t.Fatalf("re-encoded document refused: %v", err)
		}
		if !sameTruncated(back, v) {
			t.Fatalf("re-encoding changed the value\n got %#v\nwant %#v", back, v)
		}
	})
}

// FuzzUnmarshalStrict: no input panics; the strict reader accepts nothing the lenient
// one refuses; canonical re-encoding of an accepted value is a fixed point.
func FuzzUnmarshalStrict(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		err := codec.UnmarshalStrict(data, &v)
		var lenient any
		lerr := codec.Unmarshal(data, &lenient)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("strict error %v, lenient error %v", err, lerr)
		}
		if err != nil {
			if len(data) >= 2 && data[0] == 'C' && data[1] == 'K' && errors.Is(err, codec.ErrTrailingBytes) && !errors.Is(err, codec.ErrPythonFrame) {
				t.Fatalf("CK-prefixed trailing bytes not named as a Python frame: %v", err)
			}
			return
		}
		if !same(v, lenient) {
			t.Fatal("strict and lenient readers disagree")
		}
		c, err := codec.MarshalCanonical(v)
		if err != nil {
			return // non-string keys, ext types, invalid UTF-8, out-of-range times
		}
		var back any
		if err := codec.UnmarshalStrict(c, &back); err != nil {
			t.Fatalf("canonical output refused: %v", err)
		}
		again, err := codec.MarshalCanonical(back)
		if err != nil || !bytes.Equal(again, c) {
			t.Fatalf("canonical encoding is not a fixed point: %x vs %x (%v)", again, c, err)
		}
	})
}
