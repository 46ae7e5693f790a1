package cachekey

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// normalize maps one argument onto the closed interop/v1 data model, as the dynamic
// types codec.MarshalCanonical writes in canonical form: nil, bool, Go integers,
// float64 (only when not integral or outside the collapse range), string, []byte,
// []any and map[string]any. changed is false when v itself is already normal, so that
// arguments need no copy in the common case.
//
// depth is the nesting level of the container that holds v (1 for the argument array).
func normalize(v any, depth int) (out any, changed bool, err error) {
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, false, nil
	case string:
		if !utf8.ValidString(x) {
			return nil, false, argError(ErrInvalidUTF8, "a string is not valid UTF-8")
		}
		return v, false, nil
	case float64:
		return collapseFloat(x)
	case float32:
		return collapseFloat(float64(x))
	case []byte:
		if x == nil {
			return []byte{}, true, nil // a nil slice is an empty one
		}
		return v, false, nil
	case time.Time:
		return datetime(x)
	case UUID:
		return x.String(), true, nil
	case [16]byte:
		return UUID(x).String(), true, nil
	case Set:
		return normalizeSet(x, depth)
	case *big.Int:
		if x == nil {
			return nil, true, nil
		}
		return bigInt(x)
	case []any:
		return normalizeList(x, depth)
	case map[string]any:
		return normalizeMap(x, depth)
	}
	return normalizeReflect(reflect.ValueOf(v), depth)
}

// collapseFloat is the number rule of interop/v1: NaN and infinities are errors; an
// integral float in [-2^63, 2^64) becomes the integer (so 2.0 and 2 hash alike and
// -0.0 becomes 0); anything else stays a float64.
func collapseFloat(f float64) (any, bool, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false, argError(ErrNonFinite, "a float is NaN or infinite")
	}
	if collapsesToInteger(f) {
		if f < 0 {
			return int64(f), true, nil
		}
		return uint64(f), true, nil
	}
	return f, true, nil
}

// collapsesToInteger reports whether the finite float f is integral and in
// [-2^63, 2^64), the floats the number rule turns into integers.
func collapsesToInteger(f float64) bool {
	return f == math.Trunc(f) && f >= -(1<<63) && f < 1<<64
}

// Timestamps whose microseconds since the epoch fit in an int64.
const (
	minMicroSecond = math.MinInt64 / 1_000_000
	maxMicroSecond = math.MaxInt64/1_000_000 - 1
)

// datetime is the time rule of interop/v1: floor to whole microseconds since the Unix
// epoch (toward negative infinity, which time.Time.UnixMicro does, since its nanosecond
// part is never negative), then one float64 division by 10^6, then the float rule.
// A time.Time always names an instant (Go has no zone-less time value), so every
// time.Time is accepted; wall-clock types without a zone are structs and are refused
// as unsupported.
func datetime(t time.Time) (any, bool, error) {
	seconds, ok := unixSeconds(t)
	if !ok {
		return nil, false, argError(ErrOutOfRange, "a time is too far from 1970 for a microsecond timestamp")
	}
	return collapseFloat(seconds)
}

// unixSeconds is the timestamp of the time rule before the float rule; ok is false
// when the microseconds since the epoch do not fit in an int64.
func unixSeconds(t time.Time) (seconds float64, ok bool) {
	if sec := t.Unix(); sec < minMicroSecond || sec > maxMicroSecond {
		return 0, false
	}
	return float64(t.UnixMicro()) / 1e6, true
}

func bigInt(x *big.Int) (any, bool, error) {
	switch {
	case x.IsInt64():
		return x.Int64(), true, nil
	case x.IsUint64():
		return x.Uint64(), true, nil
	}
	return nil, false, argError(ErrOutOfRange, "an integer is outside [-2^63, 2^64-1]")
}

func enter(depth int) error {
	if depth+1 > codec.MaxDepth {
		return argError(ErrTooDeep, "arguments nest deeper than 100 levels")
	}
	return nil
}

func normalizeList(x []any, depth int) (any, bool, error) {
	if err := enter(depth); err != nil {
		return nil, false, err
	}
	if x == nil {
		return []any{}, true, nil
	}
	var out []any // allocated on the first element that changes
	for i, el := range x {
		n, changed, err := normalize(el, depth+1)
		if err != nil {
			return nil, false, within(err, "["+strconv.Itoa(i)+"]")
		}
		if changed && out == nil {
			out = slices.Clone(x)
		}
		if out != nil {
			out[i] = n
		}
	}
	if out == nil {
		return x, false, nil
	}
	return out, true, nil
}

func normalizeMap(x map[string]any, depth int) (any, bool, error) {
	if err := enter(depth); err != nil {
		return nil, false, err
	}
	if x == nil {
		return map[string]any{}, true, nil
	}
	var out map[string]any
	for k, el := range x {
		if !utf8.ValidString(k) {
			return nil, false, argError(ErrInvalidUTF8, "a map key is not valid UTF-8")
		}
		n, changed, err := normalize(el, depth+1)
		if err != nil {
			return nil, false, within(err, "[map value]")
		}
		if changed && out == nil {
			out = make(map[string]any, len(x))
			for k2, v2 := range x {
				out[k2] = v2
			}
		}
		if out != nil {
			out[k] = n
		}
	}
	if out == nil {
		return x, false, nil
	}
	return out, true, nil
}

// normalizeSet normalizes and encodes each element, sorts the elements by their
// encoded bytes and drops duplicates. The result is the list of normalized elements in
// that order: encoding it again gives the same bytes, since canonical encoding is
// deterministic.
func normalizeSet(s Set, depth int) (any, bool, error) {
	if err := enter(depth); err != nil {
		return nil, false, err
	}
	type element struct {
		encoded []byte
		value   any
	}
	elems := make([]element, 0, len(s))
	for _, el := range s {
		n, _, err := normalize(el, depth+1)
		if err != nil {
			return nil, false, within(err, "{set element}")
		}
		b, err := codec.MarshalCanonical(n)
		if err != nil {
			return nil, false, within(fromCodec(err), "{set element}")
		}
		elems = append(elems, element{b, n})
	}
	slices.SortFunc(elems, func(a, b element) int { return bytes.Compare(a.encoded, b.encoded) })
	elems = slices.CompactFunc(elems, func(a, b element) bool { return bytes.Equal(a.encoded, b.encoded) })
	out := make([]any, len(elems))
	for i, e := range elems {
		out[i] = e.value
	}
	return out, true, nil
}

// normalizeReflect handles named types (type UserID int64), typed slices, arrays and
// maps, and pointers.
func normalizeReflect(rv reflect.Value, depth int) (any, bool, error) {
	// Follow pointers (and the interfaces they may point at) without recursion, so that
	// a pointer cycle ends in an error.
	for hops := 0; rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface; hops++ {
		if rv.IsNil() {
			return nil, true, nil
		}
		if hops == codec.MaxDepth {
			return nil, false, argError(ErrTooDeep, "pointers nest deeper than 100 levels")
		}
		rv = rv.Elem()
	}
	if rv.CanInterface() && rv.Kind() != reflect.Struct {
		// A pointer may lead to one of the types normalize handles directly ([]any,
		// map[string]any, Set, UUID, ...).
		switch rv.Type() {
		case anyListType, stringMapType, setType, uuidType, bytesType, byteArray16Type:
			return normalize(rv.Interface(), depth)
		}
	}
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint(), true, nil
	case reflect.Float32, reflect.Float64:
		return collapseFloat(rv.Float())
	case reflect.String:
		s := rv.String()
		if !utf8.ValidString(s) {
			return nil, false, argError(ErrInvalidUTF8, "a string is not valid UTF-8")
		}
		return s, true, nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return append([]byte{}, rv.Bytes()...), true, nil
		}
		return reflectList(rv, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			// Element by element: reflect.Copy panics when the element type is a
			// named byte type ([16]MyByte).
			b := make([]byte, rv.Len())
			for i := range b {
				b[i] = byte(rv.Index(i).Uint())
			}
			if len(b) == 16 {
				return UUID(b).String(), true, nil
			}
			return b, true, nil
		}
		return reflectList(rv, depth)
	case reflect.Map:
		return reflectMap(rv, depth)
	case reflect.Struct:
		if rv.CanInterface() {
			switch x := rv.Interface().(type) {
			case time.Time:
				return datetime(x)
			case big.Int:
				return bigInt(&x)
			}
		}
	}
	if !rv.IsValid() {
		return nil, true, nil
	}
	return nil, false, argError(ErrUnsupportedType, "type %s is outside the interop data model", rv.Type())
}

var (
	anyListType     = reflect.TypeFor[[]any]()
	stringMapType   = reflect.TypeFor[map[string]any]()
	setType         = reflect.TypeFor[Set]()
	uuidType        = reflect.TypeFor[UUID]()
	bytesType       = reflect.TypeFor[[]byte]()
	byteArray16Type = reflect.TypeFor[[16]byte]()
)

func reflectList(rv reflect.Value, depth int) (any, bool, error) {
	if err := enter(depth); err != nil {
		return nil, false, err
	}
	out := make([]any, rv.Len())
	for i := range out {
		n, _, err := normalize(rv.Index(i).Interface(), depth+1)
		if err != nil {
			return nil, false, within(err, "["+strconv.Itoa(i)+"]")
		}
		out[i] = n
	}
	return out, true, nil
}

func reflectMap(rv reflect.Value, depth int) (any, bool, error) {
	if err := enter(depth); err != nil {
		return nil, false, err
	}
	if rv.Type().Key().Kind() != reflect.String {
		return nil, false, argError(ErrUnsupportedType, "map keys must be strings, not %s", rv.Type().Key())
	}
	out := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		k := it.Key().String()
		if !utf8.ValidString(k) {
			return nil, false, argError(ErrInvalidUTF8, "a map key is not valid UTF-8")
		}
		n, _, err := normalize(it.Value().Interface(), depth+1)
		if err != nil {
			return nil, false, within(err, "[map value]")
		}
		out[k] = n
	}
	return out, true, nil
}
