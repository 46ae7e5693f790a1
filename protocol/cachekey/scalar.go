package cachekey

import (
	"encoding/binary"
	"math"
	"reflect"
	"time"
	"unicode/utf8"
)

// The scalar path writes the canonical bytes of an argument list made only of scalars
// (nil, bools, integers, floats, strings, bytes, times, UUIDs, and named types of those
// kinds) straight into the caller's buffer: no normalised copy of the arguments, no
// pooled encoder buffer, no reflection for the common types. It is an optimisation of
// CanonicalArgs, not a second definition of the format: any argument it does not take
// (containers, pointers, *big.Int, Set), and any argument that is an error (NaN, an
// invalid string, a time out of range), sends the whole list to the general path, which
// also produces the error. Tests prove both paths write the same bytes.

// appendScalarArgs appends the canonical encoding of args, the array header and each
// argument, when every argument is a scalar; ok is false otherwise, and b is then to be
// discarded.
func appendScalarArgs(b []byte, args []any) (out []byte, ok bool) {
	if uint64(len(args)) > math.MaxUint32 {
		return b, false
	}
	b = appendArrayHeader(b, len(args))
	for _, a := range args {
		if b, ok = appendScalar(b, a); !ok {
			return b, false
		}
	}
	return b, true
}

// appendScalar appends one argument as normalize followed by the canonical encoder
// would write it; ok is false for anything the scalar path leaves to the general one.
func appendScalar(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, mpNil), true
	case bool:
		return appendBool(b, x), true
	case string:
		return appendString(b, x)
	case int:
		return appendInt(b, int64(x)), true
	case int64:
		return appendInt(b, x), true
	case int32:
		return appendInt(b, int64(x)), true
	case int16:
		return appendInt(b, int64(x)), true
	case int8:
		return appendInt(b, int64(x)), true
	case uint:
		return appendUint(b, uint64(x)), true
	case uint64:
		return appendUint(b, x), true
	case uint32:
		return appendUint(b, uint64(x)), true
	case uint16:
		return appendUint(b, uint64(x)), true
	case uint8:
		return appendUint(b, uint64(x)), true
	case float64:
		return appendNumber(b, x)
	case float32:
		return appendNumber(b, float64(x))
	case []byte:
		return appendBin(b, x) // a nil slice is an empty one: the same bytes
	case time.Time:
		seconds, ok := unixSeconds(x)
		if !ok {
			return b, false
		}
		return appendNumber(b, seconds)
	case UUID:
		return appendUUID(b, x), true
	case [16]byte:
		return appendUUID(b, UUID(x)), true
	}
	return appendNamedScalar(b, reflect.ValueOf(v))
}

// appendNamedScalar takes the named types of the scalar kinds (type UserID int64,
// github.com/google/uuid.UUID); pointers, containers and structs go to the general
// path.
func appendNamedScalar(b []byte, rv reflect.Value) ([]byte, bool) {
	switch rv.Kind() {
	case reflect.Bool:
		return appendBool(b, rv.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(b, rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendUint(b, rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return appendNumber(b, rv.Float())
	case reflect.String:
		return appendString(b, rv.String())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return appendBin(b, rv.Bytes())
		}
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Len() == len(UUID{}) {
			var u UUID
			for i := range u {
				u[i] = byte(rv.Index(i).Uint())
			}
			return appendUUID(b, u), true
		}
	}
	return b, false
}

// appendNumber applies the number rule (collapseFloat) and writes the result.
func appendNumber(b []byte, f float64) ([]byte, bool) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return b, false
	case !collapsesToInteger(f):
		return binary.BigEndian.AppendUint64(append(b, mpFloat64), math.Float64bits(f)), true
	case f < 0:
		return appendInt(b, int64(f)), true
	default:
		return appendUint(b, uint64(f)), true // -0.0 included: it becomes 0
	}
}

func appendString(b []byte, s string) ([]byte, bool) {
	if uint64(len(s)) > math.MaxUint32 || !utf8.ValidString(s) {
		return b, false
	}
	return append(appendStrHeader(b, len(s)), s...), true
}

func appendBin(b, data []byte) ([]byte, bool) {
	n := len(data)
	switch {
	case n <= math.MaxUint8:
		b = append(b, mpBin8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, mpBin16), uint16(n))
	case uint64(n) <= math.MaxUint32:
		b = binary.BigEndian.AppendUint32(append(b, mpBin32), uint32(n))
	default:
		return b, false
	}
	return append(b, data...), true
}

// appendUUID writes the str of the lowercase hyphenated form (UUID.String) without
// building the string.
func appendUUID(b []byte, u UUID) []byte {
	text := u.text()
	return append(appendStrHeader(b, len(text)), text[:]...)
}

// MessagePack formats the scalar path writes (the shortest forms, as package codec
// writes them in canonical mode).
const (
	mpPosFixintMax = 0x7f
	mpFixarray     = 0x90
	mpFixstr       = 0xa0
	mpNil          = 0xc0
	mpFalse        = 0xc2
	mpTrue         = 0xc3
	mpBin8         = 0xc4
	mpBin16        = 0xc5
	mpBin32        = 0xc6
	mpFloat64      = 0xcb
	mpUint8        = 0xcc
	mpUint16       = 0xcd
	mpUint32       = 0xce
	mpUint64       = 0xcf
	mpInt8         = 0xd0
	mpInt16        = 0xd1
	mpInt32        = 0xd2
	mpInt64        = 0xd3
	mpStr8         = 0xd9
	mpStr16        = 0xda
	mpStr32        = 0xdb
	mpArray16      = 0xdc
	mpArray32      = 0xdd
)

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, mpTrue)
	}
	return append(b, mpFalse)
}

// appendUint writes every non-negative integer in the unsigned family, in the
// shortest form that holds it.
func appendUint(b []byte, v uint64) []byte {
	switch {
	case v <= mpPosFixintMax:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, mpUint8, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, mpUint16), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, mpUint32), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, mpUint64), v)
	}
}

func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return appendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v)) // negative fixint
	case v >= math.MinInt8:
		return append(b, mpInt8, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, mpInt16), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, mpInt32), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, mpInt64), uint64(v))
	}
}

// appendStrHeader writes the header of a str of n bytes, n at most 2^32-1.
func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, mpFixstr|byte(n))
	case n <= math.MaxUint8:
		return append(b, mpStr8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, mpStr16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, mpStr32), uint32(n))
	}
}

// appendArrayHeader writes the header of an array of n elements, n at most 2^32-1.
func appendArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, mpFixarray|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, mpArray16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, mpArray32), uint32(n))
	}
}
