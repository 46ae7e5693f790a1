package cachekey_test

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

// civilDateTime stands for a zone-less wall-clock value (what Python calls a naive
// datetime), in the shape of cloud.google.com/go/civil.DateTime. Go's time.Time cannot
// be naive, so a naive "$datetime" in the vectors becomes this struct, which the data
// model refuses like every struct.
type civilDateTime struct {
	Year, Month, Day, Hour, Minute, Second, Nanosecond int
}

// fromTagged turns interop-mode.json's tagged JSON into Go arguments:
//
//   - a bare JSON number (json.Number) and {"$int": "..."}: int64, or uint64 above
//     MaxInt64, or *big.Int beyond 64 bits;
//   - {"$float": "..."}: float64 (1e999 parses to +Inf, nan to NaN);
//   - {"$bytes": hex}: []byte; {"$set": [...]}: cachekey.Set;
//   - {"$uuid": "..."}: cachekey.UUID; {"$datetime": "..."}: time.Time when the text has
//     an offset, civilDateTime when it has none.
func fromTagged(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case json.Number:
		return integer(t, string(x))
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = fromTagged(t, el)
		}
		return out
	case map[string]any:
		if len(x) == 1 {
			for k, val := range x {
				if strings.HasPrefix(k, "$") {
					return fromTag(t, k, val)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = fromTagged(t, el)
		}
		return out
	}
	t.Fatalf("unexpected JSON value of type %T", v)
	return nil
}

func fromTag(t *testing.T, tag string, val any) any {
	t.Helper()
	s, _ := val.(string)
	switch tag {
	case "$int":
		return integer(t, s)
	case "$float":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !math.IsInf(f, 0) {
			t.Fatalf("bad $float %q: %v", s, err)
		}
		return f
	case "$bytes":
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("bad $bytes %q: %v", s, err)
		}
		return b
	case "$set":
		elems, ok := val.([]any)
		if !ok {
			t.Fatalf("$set of %T", val)
		}
		set := cachekey.Set{}
		for _, el := range elems {
			set = append(set, fromTagged(t, el))
		}
		return set
	case "$uuid":
		u, err := cachekey.ParseUUID(s)
		if err != nil {
			t.Fatalf("bad $uuid %q: %v", s, err)
		}
		return u
	case "$datetime":
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return tm
		}
		tm, err := time.Parse("2006-01-02T15:04:05.999999999", s)
		if err != nil {
			t.Fatalf("bad $datetime %q: %v", s, err)
		}
		return civilDateTime{tm.Year(), int(tm.Month()), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond()}
	}
	t.Fatalf("unknown tag %s", tag)
	return nil
}

func integer(t *testing.T, s string) any {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad integer %q", s)
	}
	switch {
	case n.IsInt64():
		return n.Int64()
	case n.IsUint64():
		return n.Uint64()
	}
	return n
}
