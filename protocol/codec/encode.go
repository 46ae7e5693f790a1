package codec

import (
	"encoding/binary"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	wire "github.com/cachekit-io/cachekit-go/internal/msgpackwire"
)

// Marshal encodes v as one plain MessagePack document, the value container of cachekit-go
// (and cachekit-rs) in its default mode.
//
// Go values map to MessagePack as follows:
//
//   - nil, a nil pointer, interface, slice or map: nil;
//   - bool: bool; signed and unsigned integers: the shortest int form, with the unsigned
//     family for every non-negative value; float64: float64; float32: float32;
//   - string: str (the bytes as they are); []byte and [N]byte: bin;
//   - slices and arrays: array; maps: map, in Go's (random) iteration order;
//   - structs: a map keyed by field name (see below);
//   - time.Time: the datetime sentinel map {"__datetime__": true, "value": "<ISO 8601>"},
//     written as Python's isoformat() writes an aware datetime, at microsecond precision
//     and in the time's own UTC offset; years outside 1-9999 are ErrTimeRange, except
//     that a time on January 1 of year 0 (Go's convention for a clock time, which a
//     decoded __time__ sentinel is) is written as {"__time__": true, "value": "10:30:00"};
//   - pointers and interfaces: the value they hold.
//
// Struct fields are keyed by the `msgpack` tag, else the `json` tag, else the field
// name; "-" drops a field, "omitempty" (or "omitzero") leaves it out when empty, and
// embedded structs have their fields promoted as encoding/json does. Unexported fields
// are ignored. Channels, functions and complex numbers are ErrUnsupportedType, and
// containers nested deeper than MaxDepth are ErrTooDeep (which also stops pointer cycles).
// Methods such as MarshalJSON or MarshalText are not consulted.
//
// Use MarshalCanonical for bytes that must be identical across runs and SDKs.
func Marshal(v any) ([]byte, error) { return marshal(v, false) }

// MarshalCanonical encodes v in the canonical value profile of interop/v1
// (spec/interop-mode.md): the document Marshal writes, except that
//
//   - every float is a float64 (0xcb), float32 widened; a float is never collapsed
//     to an int (2.0 stays 0xcb 40 00 ...), and NaN is written as the quiet NaN
//     0x7ff8000000000000;
//   - map keys must be strings (ErrNonStringKey) and are sorted by their UTF-8 bytes,
//     which is Unicode code point order, at every depth; struct fields likewise;
//   - every string and key must be valid UTF-8 (ErrInvalidUTF8).
//
// Equal values always give identical bytes. Extension types are never written.
func MarshalCanonical(v any) ([]byte, error) { return marshal(v, true) }

// encoder writes into a buffer passed along and returned by every method (append style):
// keeping the buffer in a local variable, not in a heap field, spares a GC write
// barrier on each append.
type encoder struct {
	canonical bool
}

var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuffer keeps one huge value from pinning its buffer in the pool.
const maxPooledBuffer = 64 << 10

func marshal(v any, canonical bool) ([]byte, error) {
	pooled := bufferPool.Get().(*[]byte)
	b, err := encoder{canonical: canonical}.encode((*pooled)[:0], v, 0)
	var out []byte
	if err == nil {
		out = append(make([]byte, 0, len(b)), b...)
	}
	if cap(b) <= maxPooledBuffer {
		*pooled = b
		bufferPool.Put(pooled)
	}
	return out, err
}

var (
	timeType         = reflect.TypeFor[time.Time]()
	mapStringAnyType = reflect.TypeFor[map[string]any]()
)

func encodeError(t reflect.Type, reason string, err error) error {
	name := "<nil>"
	if t != nil {
		name = t.String()
	}
	return &EncodeError{Type: name, Reason: reason, Err: err}
}

// enter checks that a container whose parent sits at depth may be written.
func enter(depth int, t reflect.Type) error {
	if depth+1 > MaxDepth {
		return encodeError(t, "containers nest deeper than 100 levels", ErrTooDeep)
	}
	return nil
}

func (e encoder) str(b []byte, s string) ([]byte, error) {
	if tooLong(len(s)) {
		return b, encodeError(reflect.TypeFor[string](), "longer than 2^32-1 bytes", ErrUnsupportedType)
	}
	if e.canonical && !validUTF8(s) {
		return b, encodeError(reflect.TypeFor[string](), "not valid UTF-8", ErrInvalidUTF8)
	}
	return appendStr(b, s), nil
}

func (e encoder) bin(b, data []byte) ([]byte, error) {
	if tooLong(len(data)) {
		return b, encodeError(reflect.TypeFor[[]byte](), "longer than 2^32-1 bytes", ErrUnsupportedType)
	}
	return append(wire.AppendBinHeader(b, len(data)), data...), nil
}

func (e encoder) float64(b []byte, f float64) []byte {
	if e.canonical && f != f {
		f = math.Float64frombits(0x7ff8000000000000)
	}
	return wire.AppendFloat64(b, f)
}

func (e encoder) float32(b []byte, f float32) []byte {
	if e.canonical {
		return e.float64(b, float64(f))
	}
	return wire.AppendFloat32(b, f)
}

func (e encoder) time(b []byte, t time.Time, depth int) ([]byte, error) {
	if err := enter(depth, timeType); err != nil {
		return b, err
	}
	var tmp [48]byte
	marker, iso := keyDatetime, tmp[:0]
	if isClockTime(t) {
		marker, iso = keyTime, appendISOTime(iso, t)
	} else {
		var err error
		if iso, err = appendISODatetime(iso, t); err != nil {
			return b, encodeError(timeType, "year outside 1-9999", err)
		}
	}
	// {marker: true, "value": iso}: already in code point order ('_' < 'v').
	b = append(b, fmtFixmap|2)
	b = appendStr(b, marker)
	b = append(b, fmtTrue)
	b = appendStr(b, keyValue)
	return append(wire.AppendStrHeader(b, len(iso)), iso...), nil
}

func (e encoder) ext(b []byte, x Ext) ([]byte, error) {
	if e.canonical {
		return b, encodeError(extType, "canonical MessagePack has no extension types", ErrUnsupportedType)
	}
	n := len(x.Data)
	switch {
	case n == 1 || n == 2 || n == 4 || n == 8 || n == 16:
		b = append(b, fmtFixext1+byte(bits.TrailingZeros(uint(n))))
	case n <= math.MaxUint8:
		b = append(b, fmtExt8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, fmtExt16), uint16(n))
	case !tooLong(n):
		b = binary.BigEndian.AppendUint32(append(b, fmtExt32), uint32(n))
	default:
		return b, encodeError(extType, "longer than 2^32-1 bytes", ErrUnsupportedType)
	}
	return append(append(b, byte(x.Type)), x.Data...), nil
}

// encode appends v, whose enclosing container sits at depth (0 for the document). The
// type switch keeps the common dynamic types off the reflection path.
func (e encoder) encode(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, fmtNil), nil
	case bool:
		return wire.AppendBool(b, x), nil
	case string:
		return e.str(b, x)
	case []byte:
		if x == nil {
			return append(b, fmtNil), nil
		}
		return e.bin(b, x)
	case int:
		return wire.AppendInt(b, int64(x)), nil
	case int64:
		return wire.AppendInt(b, x), nil
	case int32:
		return wire.AppendInt(b, int64(x)), nil
	case int16:
		return wire.AppendInt(b, int64(x)), nil
	case int8:
		return wire.AppendInt(b, int64(x)), nil
	case uint:
		return wire.AppendUint(b, uint64(x)), nil
	case uint64:
		return wire.AppendUint(b, x), nil
	case uint32:
		return wire.AppendUint(b, uint64(x)), nil
	case uint16:
		return wire.AppendUint(b, uint64(x)), nil
	case uint8:
		return wire.AppendUint(b, uint64(x)), nil
	case float64:
		return e.float64(b, x), nil
	case float32:
		return e.float32(b, x), nil
	case time.Time:
		return e.time(b, x, depth)
	case Ext:
		return e.ext(b, x)
	case []any:
		if x == nil {
			return append(b, fmtNil), nil
		}
		if err := enter(depth, reflect.TypeFor[[]any]()); err != nil {
			return b, err
		}
		if tooLong(len(x)) {
			return b, encodeError(reflect.TypeFor[[]any](), "more than 2^32-1 elements", ErrUnsupportedType)
		}
		b = wire.AppendArrayHeader(b, len(x))
		var err error
		for _, el := range x {
			if b, err = e.encode(b, el, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case map[string]any:
		if x == nil {
			return append(b, fmtNil), nil
		}
		return e.stringMap(b, x, depth)
	}
	return e.value(b, reflect.ValueOf(v), depth)
}

func (e encoder) stringMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if err := enter(depth, mapStringAnyType); err != nil {
		return b, err
	}
	if tooLong(len(m)) {
		return b, encodeError(mapStringAnyType, "more than 2^32-1 entries", ErrUnsupportedType)
	}
	b = wire.AppendMapHeader(b, len(m))
	var err error
	if !e.canonical {
		for k, v := range m {
			if b, err = e.str(b, k); err != nil {
				return b, err
			}
			if b, err = e.encode(b, v, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // Go compares strings bytewise: UTF-8 byte order = code point order
	for _, k := range keys {
		if b, err = e.str(b, k); err != nil {
			return b, err
		}
		if b, err = e.encode(b, m[k], depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}

// value appends a reflected value; see encode for depth.
func (e encoder) value(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	switch rv.Kind() {
	case reflect.Invalid:
		return append(b, fmtNil), nil
	case reflect.Bool:
		return wire.AppendBool(b, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return wire.AppendInt(b, rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return wire.AppendUint(b, rv.Uint()), nil
	case reflect.Float32:
		return e.float32(b, float32(rv.Float())), nil
	case reflect.Float64:
		return e.float64(b, rv.Float()), nil
	case reflect.String:
		return e.str(b, rv.String())
	case reflect.Slice:
		if rv.IsNil() {
			return append(b, fmtNil), nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return e.bin(b, rv.Bytes())
		}
		return e.array(b, rv, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			data := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(data), rv)
			return e.bin(b, data)
		}
		return e.array(b, rv, depth)
	case reflect.Map:
		if rv.IsNil() {
			return append(b, fmtNil), nil
		}
		return e.mapValue(b, rv, depth)
	case reflect.Struct:
		if rv.Type() == extType && rv.CanInterface() {
			return e.ext(b, rv.Interface().(Ext))
		}
		if rv.Type() == timeType {
			if !rv.CanInterface() {
				return b, encodeError(timeType, "reachable only through an unexported field", ErrUnsupportedType)
			}
			if p, ok := addressOf[time.Time](rv); ok { // no copy boxed in an interface
				return e.time(b, *p, depth)
			}
			return e.time(b, rv.Interface().(time.Time), depth)
		}
		return e.structValue(b, rv, depth)
	case reflect.Pointer, reflect.Interface:
		// Follow the chain iteratively: pointers add no container, so a pointer cycle
		// would otherwise recurse without bound.
		for hops := 0; rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface; hops++ {
			if rv.IsNil() {
				return append(b, fmtNil), nil
			}
			if hops == MaxDepth {
				return b, encodeError(rv.Type(), "pointers nest deeper than 100 levels", ErrTooDeep)
			}
			rv = rv.Elem()
		}
		if rv.Type() == mapStringAnyType && rv.CanInterface() && !rv.IsNil() {
			return e.stringMap(b, rv.Interface().(map[string]any), depth)
		}
		return e.value(b, rv, depth)
	}
	return b, encodeError(rv.Type(), "no MessagePack form", ErrUnsupportedType)
}

func (e encoder) array(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	if err := enter(depth, rv.Type()); err != nil {
		return b, err
	}
	n := rv.Len()
	if tooLong(n) {
		return b, encodeError(rv.Type(), "more than 2^32-1 elements", ErrUnsupportedType)
	}
	b = wire.AppendArrayHeader(b, n)
	var err error
	for i := range n {
		if b, err = e.value(b, rv.Index(i), depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}

func (e encoder) mapValue(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	if err := enter(depth, rv.Type()); err != nil {
		return b, err
	}
	n := rv.Len()
	if tooLong(n) {
		return b, encodeError(rv.Type(), "more than 2^32-1 entries", ErrUnsupportedType)
	}
	var err error
	if !e.canonical {
		b = wire.AppendMapHeader(b, n)
		// Reused key and value holders: it.Key() and it.Value() would allocate a copy
		// of every entry.
		k := reflect.New(rv.Type().Key()).Elem()
		v := reflect.New(rv.Type().Elem()).Elem()
		it := rv.MapRange()
		for it.Next() {
			k.SetIterKey(it)
			v.SetIterValue(it)
			if b, err = e.value(b, k, depth+1); err != nil {
				return b, err
			}
			if b, err = e.value(b, v, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	if rv.Type().Key().Kind() != reflect.String {
		return b, encodeError(rv.Type(), "a map key is not a string", ErrNonStringKey)
	}
	// Copy the entries out once (key strings and values into one slice) and sort
	// their positions: MapKeys and MapIndex would allocate a copy of every entry.
	type entry struct {
		key string
		at  int
	}
	entries := make([]entry, 0, n)
	vals := reflect.MakeSlice(reflect.SliceOf(rv.Type().Elem()), n, n)
	k := reflect.New(rv.Type().Key()).Elem()
	it := rv.MapRange()
	for i := 0; it.Next(); i++ {
		k.SetIterKey(it)
		entries = append(entries, entry{key: k.String(), at: i})
		vals.Index(i).SetIterValue(it)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	b = wire.AppendMapHeader(b, n)
	for _, en := range entries {
		if b, err = e.str(b, en.key); err != nil {
			return b, err
		}
		if b, err = e.value(b, vals.Index(en.at), depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}

func (e encoder) structValue(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	if err := enter(depth, rv.Type()); err != nil {
		return b, err
	}
	si := cachedStructInfo(rv.Type())
	fields := si.fields
	if e.canonical {
		if !si.keysUTF8 {
			return b, encodeError(rv.Type(), "a field name is not valid UTF-8", ErrInvalidUTF8)
		}
		fields = si.sorted
	}
	n := len(fields)
	if si.mayOmit {
		n = 0
		for i := range fields {
			if fv, ok := fieldForRead(rv, &fields[i]); ok && !(fields[i].omitEmpty && isEmptyValue(fv)) {
				n++
			}
		}
	}
	b = wire.AppendMapHeader(b, n)
	var err error
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldForRead(rv, f)
		if !ok || (f.omitEmpty && isEmptyValue(fv)) {
			continue
		}
		b = append(b, f.key...)
		if b, err = e.value(b, fv, depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}
