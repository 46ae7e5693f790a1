package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// Tagged JSON is JSON extended, as in the protocol's test vectors, with one-key objects
// whose key starts with "$" for the types JSON lacks:
//
//	{"$int": "18446744073709551615"}   an integer given as a decimal string
//	{"$float": "2.0"}                  a float (also "nan", "1e999" and "-1e999")
//	{"$bytes": "deadbeef"}             bytes, in hex
//	{"$datetime": "2024-01-01T00:00:00+00:00"}  a time with its UTC offset
//	{"$uuid": "550e8400-..."}          a UUID
//	{"$set": [...]}                    a set
//
// A bare JSON number without a fraction or exponent is an integer; one with either is a
// float. Any other object is a map with string keys.

// taggedMode says what the parsed values are for: interop key arguments accept every
// tag; stored values accept what MessagePack can hold.
type taggedMode uint8

const (
	forKeyArgs taggedMode = iota // cachekey.Interop arguments
	forValue                     // a value to Set
)

// maxTaggedInput bounds the JSON the command line accepts.
const maxTaggedInput = 1 << 20

// maxTaggedDepth bounds the nesting of tagged JSON, as the protocol bounds MessagePack.
const maxTaggedDepth = codec.MaxDepth

var errTaggedTooDeep = fmt.Errorf("the JSON nests deeper than %d levels", maxTaggedDepth)

// parseTagged decodes one tagged JSON document.
func parseTagged(text string, mode taggedMode) (any, error) {
	if len(text) > maxTaggedInput {
		return nil, fmt.Errorf("the JSON is longer than %d bytes", maxTaggedInput)
	}
	if err := checkJSONDepth(text); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the JSON does not parse: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the JSON holds more than one value")
	}
	return fromTagged(raw, mode, "$")
}

// checkJSONDepth refuses deeply nested JSON before encoding/json recurses into it.
func checkJSONDepth(text string) error {
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > maxTaggedDepth {
				return errTaggedTooDeep
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// fromTagged turns a decoded JSON value into the Go value it stands for; path names
// the position for errors (it never quotes the input).
func fromTagged(v any, mode taggedMode, path string) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		return parseNumber(string(x), mode, path)
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			c, err := fromTagged(el, mode, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, inner := range x {
				if strings.HasPrefix(k, "$") {
					return fromTag(k, inner, mode, path)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			c, err := fromTagged(el, mode, path+"."+strconv.Quote(k))
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: unsupported JSON value", path)
}

// parseNumber reads a bare JSON number: an integer when it has no fraction or exponent.
func parseNumber(s string, mode taggedMode, path string) (any, error) {
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: the number is out of the float64 range", path)
		}
		return f, nil
	}
	return parseInt(s, mode, path)
}

// parseInt reads a decimal integer into int64, uint64 or, for key arguments, *big.Int
// (which cachekey range-checks).
func parseInt(s string, mode taggedMode, path string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, nil
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%s: not a decimal integer", path)
	}
	if mode == forKeyArgs {
		return n, nil
	}
	return nil, fmt.Errorf("%s: the integer does not fit in 64 bits", path)
}

// fromTag decodes one tagged object.
func fromTag(tag string, inner any, mode taggedMode, path string) (any, error) {
	str, isString := inner.(string)
	switch tag {
	case "$int":
		if !isString {
			return nil, fmt.Errorf("%s: $int takes a decimal string", path)
		}
		return parseInt(str, mode, path)
	case "$float":
		if !isString {
			return nil, fmt.Errorf("%s: $float takes a decimal string", path)
		}
		f, err := strconv.ParseFloat(str, 64)
		var ne *strconv.NumError
		if err != nil && !(errors.As(err, &ne) && ne.Err == strconv.ErrRange) {
			return nil, fmt.Errorf("%s: $float does not parse", path)
		}
		return f, nil // an out-of-range literal is ±Inf, for the key rules to refuse
	case "$bytes":
		if !isString {
			return nil, fmt.Errorf("%s: $bytes takes a hex string", path)
		}
		b, err := hex.DecodeString(str)
		if err != nil {
			return nil, fmt.Errorf("%s: $bytes is not valid hex", path)
		}
		return b, nil
	case "$datetime":
		if !isString {
			return nil, fmt.Errorf("%s: $datetime takes an ISO 8601 string", path)
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return nil, fmt.Errorf("%s: $datetime must be ISO 8601 with a UTC offset, such as 2024-01-01T00:00:00+00:00", path)
		}
		return t, nil
	case "$uuid":
		if !isString {
			return nil, fmt.Errorf("%s: $uuid takes a string", path)
		}
		u, err := cachekey.ParseUUID(str)
		if err != nil {
			return nil, fmt.Errorf("%s: $uuid is not a UUID", path)
		}
		if mode == forValue {
			return formatUUID(u), nil
		}
		return u, nil
	case "$set":
		elems, ok := inner.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: $set takes an array", path)
		}
		out := make([]any, len(elems))
		for i, el := range elems {
			c, err := fromTagged(el, mode, fmt.Sprintf("%s.$set[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		if mode == forValue {
			return out, nil
		}
		return cachekey.Set(out), nil
	}
	return nil, fmt.Errorf("%s: unknown tag %q (known: $int, $float, $bytes, $datetime, $uuid, $set)", path, tag)
}

// formatUUID writes u in the canonical lowercase hyphenated form.
func formatUUID(u cachekey.UUID) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// toJSON turns a value decoded from MessagePack into one encoding/json writes
// faithfully: bytes, times, non-finite floats, extension values and maps with
// non-string keys become tagged objects, and floats keep a fraction.
func toJSON(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, int:
		return x
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float32:
		return floatJSON(float64(x))
	case float64:
		return floatJSON(x)
	case []byte:
		return map[string]any{"$bytes": hex.EncodeToString(x)}
	case time.Time:
		return map[string]any{"$datetime": x.Format(time.RFC3339Nano)}
	case codec.Ext:
		return map[string]any{"$ext": map[string]any{"type": x.Type, "data": hex.EncodeToString(x.Data)}}
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = toJSON(el)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = toJSON(el)
		}
		return out
	case map[any]any:
		// A map with a key that is not a string: keep every pair, in a stable order.
		pairs := make([][2]any, 0, len(x))
		for k, el := range x {
			pairs = append(pairs, [2]any{toJSON(k), toJSON(el)})
		}
		sort.Slice(pairs, func(i, j int) bool {
			return fmt.Sprint(pairs[i][0]) < fmt.Sprint(pairs[j][0])
		})
		list := make([]any, len(pairs))
		for i, p := range pairs {
			list[i] = []any{p[0], p[1]}
		}
		return map[string]any{"$map": list}
	}
	return map[string]any{"$unknown": fmt.Sprintf("%T", v)}
}

// floatJSON writes f so that it reads back as a float: 2 becomes 2.0, and NaN and the
// infinities, which JSON lacks, become tagged strings.
func floatJSON(f float64) any {
	switch {
	case math.IsNaN(f):
		return map[string]any{"$float": "nan"}
	case math.IsInf(f, 1):
		return map[string]any{"$float": "inf"}
	case math.IsInf(f, -1):
		return map[string]any{"$float": "-inf"}
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return json.Number(s)
}

// marshalJSON writes v (as toJSON shapes it) as indented JSON without HTML escaping.
// Control characters in strings are escaped, so the output is safe on a terminal.
func marshalJSON(v any, indent bool) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(toJSON(v)); err != nil {
		return "", err
	}
	return escapeC1(strings.TrimSuffix(buf.String(), "\n")), nil
}

// escapeC1 rewrites DEL and the C1 control characters (U+007F to U+009F), which
// encoding/json leaves as they are and some terminals obey, as JSON \u escapes. They
// can only occur inside JSON strings, where the escape means the same character.
func escapeC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isC1(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isC1(r rune) bool { return r >= 0x7f && r <= 0x9f }
