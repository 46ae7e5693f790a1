// Package msgpackwire writes the shortest MessagePack form of scalars and container
// headers: the smallest int, str, bin, array and map header that fits, and the unsigned
// family for every non-negative integer. That is both what package codec writes and the
// canonical form of interop/v1, so codec's encoder and cachekey's scalar fast path share
// these functions and cannot drift apart.
//
// Callers check lengths first: a length above 2^32-1 cannot be declared in MessagePack
// (see TooLong), and these functions do not check it.
package msgpackwire

import (
	"encoding/binary"
	"math"
)

// Format bytes these functions write (MessagePack specification, "Formats").
const (
	posFixintMax = 0x7f
	fixmap       = 0x80
	fixarray     = 0x90
	fixstr       = 0xa0
	nilByte      = 0xc0
	falseByte    = 0xc2
	trueByte     = 0xc3
	bin8         = 0xc4
	bin16        = 0xc5
	bin32        = 0xc6
	float32Byte  = 0xca
	float64Byte  = 0xcb
	uint8Byte    = 0xcc
	uint16Byte   = 0xcd
	uint32Byte   = 0xce
	uint64Byte   = 0xcf
	int8Byte     = 0xd0
	int16Byte    = 0xd1
	int32Byte    = 0xd2
	int64Byte    = 0xd3
	str8         = 0xd9
	str16        = 0xda
	str32        = 0xdb
	array16      = 0xdc
	array32      = 0xdd
	map16        = 0xde
	map32        = 0xdf
)

// TooLong reports a length MessagePack cannot declare (more than 2^32-1).
func TooLong(n int) bool { return uint64(n) > math.MaxUint32 }

// AppendUint appends v in the shortest unsigned form.
func AppendUint(b []byte, v uint64) []byte {
	switch {
	case v <= posFixintMax:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, uint8Byte, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, uint16Byte), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, uint32Byte), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, uint64Byte), v)
	}
}

// AppendInt appends v: a non-negative v in the unsigned family, a negative one in the
// shortest signed form.
func AppendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return AppendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v)) // negative fixint
	case v >= math.MinInt8:
		return append(b, int8Byte, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, int16Byte), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, int32Byte), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, int64Byte), uint64(v))
	}
}

// AppendFloat64 appends f as a float 64.
func AppendFloat64(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, float64Byte), math.Float64bits(f))
}

// AppendFloat32 appends f as a float 32.
func AppendFloat32(b []byte, f float32) []byte {
	return binary.BigEndian.AppendUint32(append(b, float32Byte), math.Float32bits(f))
}

// AppendNil appends nil.
func AppendNil(b []byte) []byte { return append(b, nilByte) }

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, trueByte)
	}
	return append(b, falseByte)
}

// AppendStrHeader appends the header of a str of n bytes.
func AppendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, fixstr|byte(n))
	case n <= math.MaxUint8:
		return append(b, str8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, str16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, str32), uint32(n))
	}
}

// AppendBinHeader appends the header of a bin of n bytes.
func AppendBinHeader(b []byte, n int) []byte {
	switch {
	case n <= math.MaxUint8:
		return append(b, bin8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, bin16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, bin32), uint32(n))
	}
}

// AppendArrayHeader appends the header of an array of n elements.
func AppendArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, fixarray|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, array16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, array32), uint32(n))
	}
}

// AppendMapHeader appends the header of a map of n pairs.
func AppendMapHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, fixmap|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, map16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, map32), uint32(n))
	}
}
