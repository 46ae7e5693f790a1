package codec

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// The append helpers write the shortest MessagePack form of each value, which is also
// the canonical form of interop/v1: the smallest int, str, bin, array and map header
// that fits, and the unsigned family for every non-negative integer.

func appendUint(b []byte, v uint64) []byte {
	switch {
	case v <= fmtPosFixintMax:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, fmtUint8, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, fmtUint16), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, fmtUint32), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, fmtUint64), v)
	}
}

func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return appendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v))
	case v >= math.MinInt8:
		return append(b, fmtInt8, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, fmtInt16), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, fmtInt32), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, fmtInt64), uint64(v))
	}
}

func appendFloat64(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, fmtFloat64), math.Float64bits(f))
}

func appendFloat32(b []byte, f float32) []byte {
	return binary.BigEndian.AppendUint32(append(b, fmtFloat32), math.Float32bits(f))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, fmtTrue)
	}
	return append(b, fmtFalse)
}

// appendStrHeader writes the header of a str of n bytes; n must not exceed 2^32-1.
func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, fmtFixstr|byte(n))
	case n <= math.MaxUint8:
		return append(b, fmtStr8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, fmtStr16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, fmtStr32), uint32(n))
	}
}

func appendBinHeader(b []byte, n int) []byte {
	switch {
	case n <= math.MaxUint8:
		return append(b, fmtBin8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, fmtBin16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, fmtBin32), uint32(n))
	}
}

func appendArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, fmtFixarray|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, fmtArray16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, fmtArray32), uint32(n))
	}
}

func appendMapHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, fmtFixmap|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, fmtMap16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, fmtMap32), uint32(n))
	}
}

func appendStr(b []byte, s string) []byte {
	return append(appendStrHeader(b, len(s)), s...)
}

// tooLong reports a length MessagePack cannot declare (more than 2^32-1).
func tooLong(n int) bool { return uint64(n) > math.MaxUint32 }

func validUTF8(s string) bool { return utf8.ValidString(s) }
