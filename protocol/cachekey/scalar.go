package cachekey

import (
	"math"
	"reflect"
	"time"
	"unicode/utf8"

	wire "github.com/cachekit-io/cachekit-go/internal/msgpackwire"
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
	b = wire.AppendArrayHeader(b, len(args))
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
		return wire.AppendNil(b), true
	case bool:
		return wire.AppendBool(b, x), true
	case string:
		return appendString(b, x)
	case int:
		return wire.AppendInt(b, int64(x)), true
	case int64:
		return wire.AppendInt(b, x), true
	case int32:
		return wire.AppendInt(b, int64(x)), true
	case int16:
		return wire.AppendInt(b, int64(x)), true
	case int8:
		return wire.AppendInt(b, int64(x)), true
	case uint:
		return wire.AppendUint(b, uint64(x)), true
	case uint64:
		return wire.AppendUint(b, x), true
	case uint32:
		return wire.AppendUint(b, uint64(x)), true
	case uint16:
		return wire.AppendUint(b, uint64(x)), true
	case uint8:
		return wire.AppendUint(b, uint64(x)), true
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
		return wire.AppendBool(b, rv.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return wire.AppendInt(b, rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return wire.AppendUint(b, rv.Uint()), true
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
		return wire.AppendFloat64(b, f), true
	case f < 0:
		return wire.AppendInt(b, int64(f)), true
	default:
		return wire.AppendUint(b, uint64(f)), true // -0.0 included: it becomes 0
	}
}

func appendString(b []byte, s string) ([]byte, bool) {
	if wire.TooLong(len(s)) || !utf8.ValidString(s) {
		return b, false
	}
	return append(wire.AppendStrHeader(b, len(s)), s...), true
}

func appendBin(b, data []byte) ([]byte, bool) {
	if wire.TooLong(len(data)) {
		return b, false
	}
	return append(wire.AppendBinHeader(b, len(data)), data...), true
}

// appendUUID writes the str of the lowercase hyphenated form (UUID.String) without
// building the string.
func appendUUID(b []byte, u UUID) []byte {
	text := u.text()
	return append(wire.AppendStrHeader(b, len(text)), text[:]...)
}
