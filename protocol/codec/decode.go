package codec

import (
	"encoding/binary"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
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
	if done, err := d.common(v); done {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrInvalidTarget
	}
	// Decoder plans are called through function values, which makes the decoder
	// escape: it comes from a pool rather than from an allocation per call.
	pd := decoderPool.Get().(*decoder)
	*pd = d
	err = pd.into(rv.Elem())
	*pd = decoder{} // drop the reference to data
	decoderPool.Put(pd)
	return err
}

// topInt decodes the document as an integer of the given bit size (nil as 0), for a
// target of Go type t.
func (d *decoder) topInt(t reflect.Type, bits int) (int64, error) {
	h, err := d.next()
	if err != nil || h.k == kNil {
		return 0, err
	}
	x, ok := d.asInt(h)
	if !ok || (bits < 64 && (x < -1<<(bits-1) || x >= 1<<(bits-1))) {
		return 0, d.mismatch(h, t, "out of range or not an integer")
	}
	return x, nil
}

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// common decodes into the targets cachekit reads most (an L1 hit of a string, []byte,
// map or interface value) without reflection. It reports false for any other target,
// and for a value these paths leave to the general decoder (a lenient conversion, an
// error to describe).
func (d *decoder) common(v any) (bool, error) {
	switch p := v.(type) {
	case *any:
		if p == nil {
			return true, ErrInvalidTarget
		}
		x, err := d.anyValue()
		if err == nil {
			*p = x
		}
		return true, err
	case *string:
		if p != nil && isStrFormat(d.data[0]) {
			h, err := d.next()
			if err != nil {
				return true, err
			}
			b, err := d.take(h.n)
			if err == nil {
				*p = string(b)
			}
			return true, err
		}
	case *[]byte:
		if p != nil && (d.data[0] == fmtBin8 || d.data[0] == fmtBin16 || d.data[0] == fmtBin32) {
			h, err := d.next()
			if err != nil {
				return true, err
			}
			b, err := d.take(h.n)
			if err == nil {
				*p = append(make([]byte, 0, len(b)), b...)
			}
			return true, err
		}
	case *int:
		if p != nil {
			x, err := d.topInt(reflect.TypeFor[int](), strconv.IntSize)
			if err == nil {
				*p = int(x)
			}
			return true, err
		}
	case *int64:
		if p != nil {
			x, err := d.topInt(reflect.TypeFor[int64](), 64)
			if err == nil {
				*p = x
			}
			return true, err
		}
	case *bool:
		if p != nil {
			h, err := d.next()
			switch {
			case err != nil:
			case h.k == kNil:
				*p = false
			case h.k == kBool:
				*p = h.bool()
			default:
				err = d.mismatch(h, reflect.TypeFor[bool](), "")
			}
			return true, err
		}
	case *float64:
		if p != nil {
			h, err := d.next()
			if err != nil {
				return true, err
			}
			if h.k == kNil {
				*p = 0
				return true, nil
			}
			f, ok := asFloat(h)
			if !ok {
				return true, d.mismatch(h, reflect.TypeFor[float64](), "")
			}
			*p = f
			return true, nil
		}
	case *time.Time:
		if p != nil {
			h, err := d.next()
			if err != nil {
				return true, err
			}
			if h.k == kNil {
				*p = time.Time{}
				return true, nil
			}
			t, err := d.timeValue(h)
			if err == nil {
				*p = t
			}
			return true, err
		}
	case *map[string]any:
		if p != nil {
			h, err := d.next()
			if err != nil {
				return true, err
			}
			if h.k == kNil {
				*p = nil
				return true, nil
			}
			if h.k != kMap {
				return true, d.mismatch(h, mapStringAnyType, "")
			}
			if *p == nil {
				*p = make(map[string]any, h.n)
			}
			return true, d.fillStringAnyMap(h, *p)
		}
	}
	return false, nil
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
// for arrays and maps the elements do. It is small enough (with an error) to be
// returned in registers.
type head struct {
	k   kind
	ext int8
	at  int    // offset of the format byte
	n   int    // str, bin, ext byte length; array elements; map pairs
	x   uint64 // the number: a uint, an int's two's complement, a float64's bits, or a bool as 0 or 1
}

func (h head) uint() uint64 { return h.x }

func (h head) bool() bool { return h.x != 0 }

func (h head) int() int64 { return int64(h.x) }

func (h head) float() float64 { return math.Float64frombits(h.x) }

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

// next reads one value header. The headers that are their format byte alone are read
// here, small enough to be inlined; the rest in nextLong.
func (d *decoder) next() (head, error) {
	if at := d.off; at < len(d.data) {
		if f := &formats[d.data[at]]; f.class <= clsFixContainer {
			d.off++
			h := f.head
			h.at = at
			return h, nil
		}
	}
	return d.nextSlow()
}

func (d *decoder) nextSlow() (head, error) {
	at := d.off
	if at >= len(d.data) {
		return head{at: at}, d.truncated()
	}
	c := d.data[at]
	d.off++
	return d.nextLong(c, at)
}

// nextLong reads the rest of a header whose format byte c (at offset at) has a length
// or a number after it.
func (d *decoder) nextLong(c byte, at int) (head, error) {
	h := head{at: at}
	switch c {
	case fmtBin8, fmtBin16, fmtBin32, fmtStr8, fmtStr16, fmtStr32, fmtArray16, fmtArray32, fmtMap16, fmtMap32, fmtExt8, fmtExt16, fmtExt32:
		w := lengthWidth(c)
		if len(d.data)-d.off < w {
			return h, d.truncated()
		}
		h.n = int(readLength(d.data[d.off:], w))
		d.off += w
		switch c {
		case fmtBin8, fmtBin16, fmtBin32:
			h.k = kBin
		case fmtStr8, fmtStr16, fmtStr32:
			h.k = kStr
		case fmtArray16, fmtArray32:
			h.k = kArray
		case fmtMap16, fmtMap32:
			h.k = kMap
		default:
			h.k = kExt
			return h, d.extType(&h)
		}
		return h, nil
	case fmtFixext1, fmtFixext2, fmtFixext4, fmtFixext8, fmtFixext16:
		h.k, h.n = kExt, 1<<(c-fmtFixext1)
		return h, d.extType(&h)
	case fmtFloat32:
		b, err := d.take(4)
		if err != nil {
			return h, err
		}
		h.k, h.x = kFloat, math.Float64bits(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
	case fmtFloat64:
		b, err := d.take(8)
		if err != nil {
			return h, err
		}
		h.k, h.x = kFloat, binary.BigEndian.Uint64(b)
	case fmtUint8, fmtUint16, fmtUint32, fmtUint64:
		b, err := d.take(1 << (c - fmtUint8))
		if err != nil {
			return h, err
		}
		h.k, h.x = kUint, bigEndian(b)
	case fmtInt8, fmtInt16, fmtInt32, fmtInt64:
		b, err := d.take(1 << (c - fmtInt8))
		if err != nil {
			return h, err
		}
		h.k = kInt
		switch len(b) {
		case 1:
			h.x = uint64(int64(int8(b[0])))
		case 2:
			h.x = uint64(int64(int16(binary.BigEndian.Uint16(b))))
		case 4:
			h.x = uint64(int64(int32(binary.BigEndian.Uint32(b))))
		default:
			h.x = binary.BigEndian.Uint64(b)
		}
	default: // 0xc1
		return h, &DecodeError{Offset: at, Reason: "byte 0xc1 is never used by MessagePack", Err: ErrInvalidFormat}
	}
	return h, nil
}

func (d *decoder) extType(h *head) error {
	b, err := d.take(1)
	if err != nil {
		return err
	}
	h.ext = int8(b[0])
	return nil
}

// isStrFormat reports whether c starts a str.
func isStrFormat(c byte) bool {
	return c&0xe0 == fmtFixstr || c == fmtStr8 || c == fmtStr16 || c == fmtStr32
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

// skipFrom passes over the rest of a value whose header is h. The document was
// scanned, so its elements are counted here rather than recursed into.
func (d *decoder) skipFrom(h head) error {
	pending := 0 // values still to pass over
	for {
		switch h.k {
		case kStr, kBin, kExt:
			if _, err := d.take(h.n); err != nil {
				return err
			}
		case kArray:
			pending += h.n
		case kMap:
			pending += 2 * h.n
		}
		if pending == 0 {
			return nil
		}
		pending--
		var err error
		if h, err = d.next(); err != nil {
			return err
		}
	}
}
