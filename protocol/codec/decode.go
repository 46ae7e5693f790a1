package codec

import (
	"encoding/binary"
	"math"
	"reflect"
)

// Unmarshal decodes data, which must hold exactly one MessagePack document, into the
// value v points to. It is the reader for plain values (Go and cachekit-rs default mode).
//
// Before anything is allocated the whole input is checked against the bounds of
// PROTOCOL.md §2 (see ErrTooDeep, ErrDeclaredLength, ErrTruncated), so hostile input
// costs an error, never a panic or an allocation larger than the input.
//
// Trailing bytes are an error (ErrTrailingBytes), as in UnmarshalStrict: no conforming
// writer of the plain container emits them, and the check is what keeps another SDK's
// container from decoding as a prefix of itself (a cachekit-py CK frame reads as the
// integer 67 followed by trailing bytes; it is reported as ErrPythonFrame).
//
// Decoding into *any yields nil, bool, int64 (uint64 only above math.MaxInt64),
// float64 (float32 widened), string, []byte, []any, map[string]any (map[any]any when a
// key is not a string), time.Time for temporal sentinel maps and timestamp extensions,
// and Ext for other extension types. Decoding into typed values works as
// encoding/json does: struct fields match map keys by the names Marshal writes (exact
// match; unknown keys are skipped), maps are filled (allocated when nil), slices are
// replaced, pointers allocated, and nil sets the zero value. Numbers convert between Go
// integer and float kinds when the value fits: an overflow (300 into an int8, -1 into a
// uint) is ErrTypeMismatch. Unmarshal is lenient where the SDKs' writers differ: an
// integral float decodes into an integer, str into []byte and bin into string.
//
// On error, v may have been partly written.
func Unmarshal(data []byte, v any) error { return unmarshal(data, v, false) }

// UnmarshalStrict is the interop/v1 value reader (spec/interop-mode.md): it accepts any
// well-formed document, canonical or not (padded widths, unsorted keys, float32,
// non-string keys, extension types), consumes exactly one document, and rejects
// trailing bytes with ErrTrailingBytes, or ErrPythonFrame when the input starts with
// the "CK" magic of a cachekit-py auto-mode entry.
//
// It decodes as Unmarshal does, except that types must match their MessagePack family:
// a float never decodes into an integer, and str and bin do not convert into each other.
// Integers still decode into floats, since JavaScript writers cannot tell 2 from 2.0.
func UnmarshalStrict(data []byte, v any) error { return unmarshal(data, v, true) }

func unmarshal(data []byte, v any, strict bool) error {
	end, err := scanDocument(data)
	if err != nil {
		return err
	}
	if end != len(data) {
		if len(data) >= 2 && data[0] == pythonFrameMagic[0] && data[1] == pythonFrameMagic[1] {
			return &DecodeError{Offset: end, Reason: "the input starts with \"CK\": it is a cachekit-py auto-mode entry (CK frame), not an interop or plain MessagePack value", Err: ErrPythonFrame}
		}
		return &DecodeError{Offset: end, Reason: "bytes follow the first complete document", Err: ErrTrailingBytes}
	}
	d := decoder{data: data, strict: strict}
	switch p := v.(type) {
	case *any:
		if p == nil {
			return ErrInvalidTarget
		}
		x, err := d.anyValue()
		if err != nil {
			return err
		}
		*p = x
		return nil
	case *string:
		if p != nil {
			h, err := d.next()
			if err != nil {
				return err
			}
			if h.k == kStr {
				b, err := d.take(h.n)
				if err != nil {
					return err
				}
				*p = string(b)
				return nil
			}
			return d.intoFrom(h, reflect.ValueOf(p).Elem())
		}
	case *[]byte:
		if p != nil {
			h, err := d.next()
			if err != nil {
				return err
			}
			if h.k == kBin {
				b, err := d.take(h.n)
				if err != nil {
					return err
				}
				*p = append(make([]byte, 0, len(b)), b...)
				return nil
			}
			return d.intoFrom(h, reflect.ValueOf(p).Elem())
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrInvalidTarget
	}
	return d.into(rv.Elem())
}

// kind is the MessagePack family of a value.
type kind uint8

const (
	kNil kind = iota
	kBool
	kUint // positive fixint and the uint family
	kInt  // negative fixint and the int family
	kFloat
	kStr
	kBin
	kArray
	kMap
	kExt
)

func (k kind) String() string {
	return [...]string{"nil", "bool", "unsigned integer", "integer", "float", "str", "bin", "array", "map", "ext"}[k]
}

// head is a decoded value header. For str, bin and ext the payload follows at d.off;
// for arrays and maps the elements do.
type head struct {
	k   kind
	at  int // offset of the format byte
	b   bool
	u   uint64
	i   int64
	f   float64
	n   int // str, bin, ext byte length; array elements; map pairs
	ext int8
}

type decoder struct {
	data   []byte
	off    int
	strict bool
}

func (d *decoder) truncated() error {
	return &DecodeError{Offset: d.off, Reason: "the input ends inside a value", Err: ErrTruncated}
}

// take returns the next n bytes. The document was scanned before decoding starts, so
// the checks here only guard against a disagreement between scanner and decoder.
func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || len(d.data)-d.off < n {
		return nil, d.truncated()
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b, nil
}

func (d *decoder) length(width int) (int, error) {
	b, err := d.take(width)
	if err != nil {
		return 0, err
	}
	switch width {
	case 1:
		return int(b[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b)), nil
	default:
		return int(binary.BigEndian.Uint32(b)), nil
	}
}

// next reads one value header.
func (d *decoder) next() (head, error) {
	h := head{at: d.off}
	if d.off >= len(d.data) {
		return h, d.truncated()
	}
	c := d.data[d.off]
	d.off++
	switch {
	case c <= fmtPosFixintMax:
		h.k, h.u = kUint, uint64(c)
		return h, nil
	case c >= fmtNegFixintMin:
		h.k, h.i = kInt, int64(int8(c))
		return h, nil
	case c < fmtFixarray:
		h.k, h.n = kMap, int(c&0x0f)
		return h, nil
	case c < fmtFixstr:
		h.k, h.n = kArray, int(c&0x0f)
		return h, nil
	case c < fmtNil:
		h.k, h.n = kStr, int(c&0x1f)
		return h, nil
	}
	var err error
	switch c {
	case fmtNil:
		h.k = kNil
	case fmtFalse, fmtTrue:
		h.k, h.b = kBool, c == fmtTrue
	case fmtBin8, fmtBin16, fmtBin32:
		h.k = kBin
		h.n, err = d.length(lengthWidth(c))
	case fmtStr8, fmtStr16, fmtStr32:
		h.k = kStr
		h.n, err = d.length(lengthWidth(c))
	case fmtArray16, fmtArray32:
		h.k = kArray
		h.n, err = d.length(lengthWidth(c))
	case fmtMap16, fmtMap32:
		h.k = kMap
		h.n, err = d.length(lengthWidth(c))
	case fmtExt8, fmtExt16, fmtExt32:
		h.k = kExt
		if h.n, err = d.length(lengthWidth(c)); err == nil {
			err = d.extType(&h)
		}
	case fmtFixext1, fmtFixext2, fmtFixext4, fmtFixext8, fmtFixext16:
		h.k, h.n = kExt, 1<<(c-fmtFixext1)
		err = d.extType(&h)
	case fmtFloat32:
		var b []byte
		if b, err = d.take(4); err == nil {
			h.k, h.f = kFloat, float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
		}
	case fmtFloat64:
		var b []byte
		if b, err = d.take(8); err == nil {
			h.k, h.f = kFloat, math.Float64frombits(binary.BigEndian.Uint64(b))
		}
	case fmtUint8, fmtUint16, fmtUint32, fmtUint64:
		var b []byte
		if b, err = d.take(1 << (c - fmtUint8)); err == nil {
			h.k, h.u = kUint, bigEndian(b)
		}
	case fmtInt8, fmtInt16, fmtInt32, fmtInt64:
		var b []byte
		if b, err = d.take(1 << (c - fmtInt8)); err == nil {
			h.k = kInt
			switch len(b) {
			case 1:
				h.i = int64(int8(b[0]))
			case 2:
				h.i = int64(int16(binary.BigEndian.Uint16(b)))
			case 4:
				h.i = int64(int32(binary.BigEndian.Uint32(b)))
			default:
				h.i = int64(binary.BigEndian.Uint64(b))
			}
		}
	default: // 0xc1
		return h, &DecodeError{Offset: h.at, Reason: "byte 0xc1 is never used by MessagePack", Err: ErrInvalidFormat}
	}
	return h, err
}

func (d *decoder) extType(h *head) error {
	b, err := d.take(1)
	if err != nil {
		return err
	}
	h.ext = int8(b[0])
	return nil
}

func bigEndian(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	default:
		return binary.BigEndian.Uint64(b)
	}
}

// skip passes over one value.
func (d *decoder) skip() error {
	h, err := d.next()
	if err != nil {
		return err
	}
	return d.skipFrom(h)
}

func (d *decoder) skipFrom(h head) error {
	switch h.k {
	case kStr, kBin, kExt:
		_, err := d.take(h.n)
		return err
	case kArray, kMap:
		n := h.n
		if h.k == kMap {
			n *= 2
		}
		for range n {
			if err := d.skip(); err != nil {
				return err
			}
		}
	}
	return nil
}
