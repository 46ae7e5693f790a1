package main

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

func TestToJSON(t *testing.T) {
	when := time.Date(2024, 1, 1, 12, 30, 45, 123456000, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"string", "héllo", `"héllo"`},
		{"control characters escaped", "a\x1b[2J\u009bz", `"a\u001b[2J\u009bz"`},
		{"int", int64(-7), `-7`},
		{"max uint64 exact", uint64(math.MaxUint64), `18446744073709551615`},
		{"integral float keeps its fraction", 2.0, `2.0`},
		{"negative zero", math.Copysign(0, -1), `-0.0`},
		{"large float", 1e21, `1e+21`},
		{"float", 3.5, `3.5`},
		{"nan", math.NaN(), `{"$float":"nan"}`},
		{"inf", math.Inf(1), `{"$float":"inf"}`},
		{"-inf", math.Inf(-1), `{"$float":"-inf"}`},
		{"bytes", []byte{0, 0xff}, `{"$bytes":"00ff"}`},
		{"time", when, `{"$datetime":"2024-01-01T12:30:45.123456Z"}`},
		{"ext", codec.Ext{Type: 5, Data: []byte{1}}, `{"$ext":{"data":"01","type":5}}`},
		{"array", []any{int64(1), "a", nil}, `[1,"a",null]`},
		{"map", map[string]any{"b": int64(1), "a": []byte{2}}, `{"a":{"$bytes":"02"},"b":1}`},
		{"map with int keys", map[any]any{int64(2): "x", "k": true}, `{"$map":[[2,"x"],["k",true]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalJSON(tt.in, false)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("%s is not valid JSON", got)
			}
		})
	}
}

func TestParseTagged(t *testing.T) {
	u, _ := cachekey.ParseUUID("550e8400-e29b-41d4-a716-446655440000")
	huge, _ := new(big.Int).SetString("18446744073709551616", 10)
	tests := []struct {
		name    string
		text    string
		mode    taggedMode
		want    any
		wantErr bool
	}{
		{name: "integer", text: `42`, want: int64(42)},
		{name: "uint64", text: `18446744073709551615`, want: uint64(math.MaxUint64)},
		{name: "beyond uint64 for keys", text: `{"$int": "18446744073709551616"}`, want: huge},
		{name: "beyond uint64 for values", text: `18446744073709551616`, mode: forValue, wantErr: true},
		{name: "float", text: `2.5`, want: 2.5},
		{name: "float with exponent", text: `1e3`, want: 1000.0},
		{name: "tagged float", text: `{"$float": "2.0"}`, want: 2.0},
		{name: "overflowing float is infinite", text: `{"$float": "1e999"}`, want: math.Inf(1)},
		{name: "bad float", text: `{"$float": "two"}`, wantErr: true},
		{name: "bytes", text: `{"$bytes": "dead"}`, want: []byte{0xde, 0xad}},
		{name: "bad bytes", text: `{"$bytes": "xyz"}`, wantErr: true},
		{name: "datetime", text: `{"$datetime": "2024-01-01T00:00:00+05:30"}`, want: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 19800))},
		{name: "naive datetime", text: `{"$datetime": "2024-01-01T00:00:00"}`, wantErr: true},
		{name: "uuid for keys", text: `{"$uuid": "550E8400-E29B-41D4-A716-446655440000"}`, want: u},
		{name: "uuid for values", text: `{"$uuid": "550E8400-E29B-41D4-A716-446655440000"}`, mode: forValue, want: "550e8400-e29b-41d4-a716-446655440000"},
		{name: "set for keys", text: `{"$set": [1, "a"]}`, want: cachekey.Set{int64(1), "a"}},
		{name: "set for values", text: `{"$set": [1]}`, mode: forValue, want: []any{int64(1)}},
		{name: "two-key map is a map", text: `{"$int": "1", "x": 2}`, want: map[string]any{"$int": "1", "x": int64(2)}},
		{name: "unknown tag", text: `{"$nope": 1}`, wantErr: true},
		{name: "tag of the wrong type", text: `{"$int": 1}`, wantErr: true},
		{name: "trailing document", text: `1 2`, wantErr: true},
		{name: "nesting limit", text: `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, wantErr: true},
		{name: "brackets in strings do not count", text: `"` + strings.Repeat("[", 150) + `\"["`, want: strings.Repeat("[", 150) + `"[`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTagged(tt.text, tt.mode)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %#v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gt, ok := got.(time.Time); ok {
				if !gt.Equal(tt.want.(time.Time)) {
					t.Errorf("got %v, want %v", gt, tt.want)
				}
				return
			}
			if gb, ok := got.(*big.Int); ok {
				if gb.Cmp(tt.want.(*big.Int)) != 0 {
					t.Errorf("got %v, want %v", gb, tt.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// A value written with set -json and decoded by get prints back as the same JSON: the
// round trip through the SDK's encoder and decoder.
func TestTaggedJSONRoundTripsThroughMessagePack(t *testing.T) {
	docs := []string{
		`{"a":1,"b":[true,null,"x"],"c":2.0,"d":{"$bytes":"00ff"},"e":-9223372036854775808,"f":18446744073709551615}`,
		`[{"$float":"nan"},{"$float":"inf"},0.5]`,
		`"just a string"`,
	}
	for _, doc := range docs {
		v, err := parseTagged(doc, forValue)
		if err != nil {
			t.Fatal(err)
		}
		b, err := codec.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		if err := codec.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, err := marshalJSON(back, false)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		_ = json.Unmarshal([]byte(got), &g)
		_ = json.Unmarshal([]byte(doc), &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("round trip of %s gave %s", doc, got)
		}
	}
}

// FuzzParseTagged checks that no command-line JSON makes the tagged parser panic, and
// that whatever it accepts as a value the SDK's encoder can write.
func FuzzParseTagged(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[42, "x", null]`, `{"$int": "18446744073709551616"}`, `{"$float": "1e999"}`,
		`{"$set": [{"$uuid": "550E8400-E29B-41D4-A716-446655440000"}]}`, `{"$bytes": "00"}`,
		`{"$datetime": "2024-01-01T00:00:00+05:30"}`, `[[[[]]]]`, `"\"["`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := parseTagged(text, forKeyArgs); err != nil {
			return
		}
		v, err := parseTagged(text, forValue)
		if err != nil {
			return
		}
		if _, err := codec.Marshal(v); err != nil {
			t.Fatalf("accepted %q but the encoder refused it: %v", text, err)
		}
	})
}
