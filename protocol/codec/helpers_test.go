package codec_test

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// untag turns the tagged JSON of interop-mode.json into the Go values a decode into
// *any returns: a bare JSON number is an integer (int64, or uint64 above MaxInt64),
// {"$float": ...} a float64, {"$bytes": hex} a []byte. ok is false for tags a value
// cannot hold ($set, $uuid, $datetime) and for integers outside 64 bits.
func untag(t *testing.T, v any) (any, bool) {
	t.Helper()
	switch x := v.(type) {
	case nil, bool, string:
		return x, true
	case json.Number:
		return integer(t, string(x))
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			u, ok := untag(t, el)
			if !ok {
				return nil, false
			}
			out[i] = u
		}
		return out, true
	case map[string]any:
		if len(x) == 1 {
			for k, val := range x {
				if strings.HasPrefix(k, "$") {
					s, _ := val.(string)
					switch k {
					case "$int":
						return integer(t, s)
					case "$float":
						f, err := strconv.ParseFloat(s, 64)
						if err != nil && !math.IsInf(f, 0) {
							t.Fatalf("bad $float %q: %v", s, err)
						}
						return f, true
					case "$bytes":
						b, err := hex.DecodeString(s)
						if err != nil {
							t.Fatalf("bad $bytes %q: %v", s, err)
						}
						return b, true
					default:
						return nil, false
					}
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			u, ok := untag(t, el)
			if !ok {
				return nil, false
			}
			out[k] = u
		}
		return out, true
	}
	t.Fatalf("unexpected JSON value of type %T", v)
	return nil, false
}

func integer(t *testing.T, s string) (any, bool) {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad integer %q", s)
	}
	switch {
	case n.IsInt64():
		return n.Int64(), true
	case n.IsUint64():
		return n.Uint64(), true
	}
	return nil, false
}

// same compares decoded values: floats by bits (so NaN equals NaN), times by instant,
// everything else structurally.
func same(a, b any) bool { return sameWith(a, b, false) }

// sameTruncated is same, with the first value's times compared at the microsecond
// precision Marshal keeps, and map[any]any keys that cannot be looked up again (NaN
// floats, times) skipped.
func sameTruncated(a, b any) bool { return sameWith(a, b, true) }

func sameWith(a, b any, truncated bool) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case time.Time:
		y, ok := b.(time.Time)
		if truncated {
			y = y.Truncate(time.Microsecond)
		}
		return ok && x.Equal(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameWith(x[i], y[i], truncated) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameWith(v, w, truncated) {
				return false
			}
		}
		return true
	case map[any]any:
		y, ok := b.(map[any]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				if truncated {
					continue
				}
				return false
			}
			if !sameWith(v, w, truncated) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
