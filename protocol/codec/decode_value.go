package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"time"
)

var (
	extType    = reflect.TypeFor[Ext]()
	stringType = reflect.TypeFor[string]()
	anyType    = reflect.TypeFor[any]()
)

func (d *decoder) mismatch(h head, t reflect.Type, why string) error {
	reason := fmt.Sprintf("a MessagePack %s does not fit Go type %s", h.k, t)
	if why != "" {
		reason += " (" + why + ")"
	}
	return &DecodeError{Offset: h.at, Reason: reason, Err: ErrTypeMismatch}
}

// into decodes the next value into rv, which must be settable.
func (d *decoder) into(rv reflect.Value) error {
	h, err := d.next()
	if err != nil {
		return err
	}
	return d.intoFrom(h, rv)
}

// intoFrom decodes the value whose header is h into rv, looking up the decoder plan of
// rv's type (see plan.go).
func (d *decoder) intoFrom(h head, rv reflect.Value) error {
	if !rv.CanSet() {
		return d.mismatch(h, rv.Type(), "the destination cannot be set")
	}
	if h.k == kNil {
		rv.SetZero()
		return nil
	}
	return decodeFuncFor(rv.Type())(d, h, rv)
}

// intoPlan decodes the next value into rv, settable and of the type p was planned
// for. The most common leaves (a fixint, a fixstr, a float64 or a bool into a Go type
// of that family) are read here directly, without a header or a call through the plan.
func (d *decoder) intoPlan(p elemPlan, rv reflect.Value) error {
	if d.off < len(d.data) {
		c := d.data[d.off]
		switch p.leaf {
		case leafString:
			if c&0xe0 == fmtFixstr {
				start := d.off + 1
				if end := start + int(c&0x1f); end <= len(d.data) {
					rv.SetString(string(d.data[start:end]))
					d.off = end
					return nil
				}
			}
		case leafInt:
			if c <= fmtPosFixintMax { // fits every Go integer type
				rv.SetInt(int64(c))
				d.off++
				return nil
			}
		case leafUint:
			if c <= fmtPosFixintMax {
				rv.SetUint(uint64(c))
				d.off++
				return nil
			}
		case leafFloat64:
			if c == fmtFloat64 && len(d.data)-d.off > 8 {
				rv.SetFloat(math.Float64frombits(binary.BigEndian.Uint64(d.data[d.off+1:])))
				d.off += 9
				return nil
			}
		case leafBool:
			if c == fmtTrue || c == fmtFalse {
				rv.SetBool(c == fmtTrue)
				d.off++
				return nil
			}
		}
	}
	return d.intoWith(p.fn, rv)
}

// intoWith decodes the next value into rv, settable and of the type fn was planned for.
func (d *decoder) intoWith(fn decodeFunc, rv reflect.Value) error {
	h, err := d.next()
	if err != nil {
		return err
	}
	if h.k == kNil {
		rv.SetZero()
		return nil
	}
	return fn(d, h, rv)
}

func (d *decoder) asInt(h head) (int64, bool) {
	switch h.k {
	case kInt:
		return h.int(), true
	case kUint:
		return int64(h.uint()), h.uint() <= math.MaxInt64
	case kFloat:
		if f := h.float(); !d.strict && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return int64(f), true
		}
	}
	return 0, false
}

func (d *decoder) asUint(h head) (uint64, bool) {
	switch h.k {
	case kUint:
		return h.uint(), true
	case kInt:
		return h.x, h.int() >= 0
	case kFloat:
		if f := h.float(); !d.strict && f == math.Trunc(f) && f >= 0 && f < 1<<64 {
			return uint64(f), true
		}
	}
	return 0, false
}

// asFloat converts any MessagePack number to a float64, in strict mode too: an integer
// beyond 2^53 becomes the nearest float64.
func asFloat(h head) (float64, bool) {
	switch h.k {
	case kFloat:
		return h.float(), true
	case kUint:
		return float64(h.uint()), true
	case kInt:
		return float64(h.int()), true
	}
	return 0, false
}

func decodeBool(d *decoder, h head, rv reflect.Value) error {
	if h.k != kBool {
		return d.mismatch(h, rv.Type(), "")
	}
	rv.SetBool(h.bool())
	return nil
}

func decodeInt(d *decoder, h head, rv reflect.Value) error {
	x, ok := d.asInt(h)
	if !ok || rv.OverflowInt(x) {
		return d.mismatch(h, rv.Type(), "out of range or not an integer")
	}
	rv.SetInt(x)
	return nil
}

func decodeUint(d *decoder, h head, rv reflect.Value) error {
	x, ok := d.asUint(h)
	if !ok || rv.OverflowUint(x) {
		return d.mismatch(h, rv.Type(), "out of range or not an integer")
	}
	rv.SetUint(x)
	return nil
}

func decodeFloat(d *decoder, h head, rv reflect.Value) error {
	f, ok := asFloat(h)
	if !ok {
		return d.mismatch(h, rv.Type(), "")
	}
	if rv.OverflowFloat(f) {
		return d.mismatch(h, rv.Type(), "out of range")
	}
	rv.SetFloat(f)
	return nil
}

func decodeString(d *decoder, h head, rv reflect.Value) error {
	if h.k != kStr && (d.strict || h.k != kBin) {
		return d.mismatch(h, rv.Type(), "")
	}
	b, err := d.take(h.n)
	if err != nil {
		return err
	}
	rv.SetString(string(b))
	return nil
}

func decodeExt(d *decoder, h head, rv reflect.Value) error {
	if h.k != kExt {
		return d.mismatch(h, extType, "")
	}
	b, err := d.take(h.n)
	if err != nil {
		return err
	}
	x := Ext{Type: h.ext, Data: append(make([]byte, 0, len(b)), b...)}
	if p, ok := addressOf[Ext](rv); ok {
		*p = x
		return nil
	}
	rv.Set(reflect.ValueOf(x))
	return nil
}

func decodeUnsupported(d *decoder, h head, rv reflect.Value) error {
	return d.mismatch(h, rv.Type(), "the Go type has no MessagePack form")
}

// addressOf returns a typed pointer to rv when reflection allows it, so that a value
// can be stored without boxing it in an interface (which rv.Set(reflect.ValueOf(x))
// would allocate for).
func addressOf[T any](rv reflect.Value) (*T, bool) {
	if !rv.CanAddr() || !rv.CanInterface() {
		return nil, false
	}
	p, ok := rv.Addr().Interface().(*T)
	return p, ok
}

func decodeInterface(d *decoder, h head, rv reflect.Value) error {
	// A non-nil pointer already held by the interface is decoded into, as
	// encoding/json does.
	// A pointer back to an interface is not followed: it may lead to rv itself.
	if e := rv.Elem(); e.IsValid() && e.Kind() == reflect.Pointer && !e.IsNil() && e.Elem().Kind() != reflect.Interface {
		return d.intoFrom(h, e.Elem())
	}
	v, err := d.anyFrom(h)
	if err != nil {
		return err
	}
	if rv.Type() == anyType {
		if p, ok := addressOf[any](rv); ok {
			*p = v
			return nil
		}
	}
	vv := reflect.ValueOf(v)
	if !vv.Type().AssignableTo(rv.Type()) {
		return d.mismatch(h, rv.Type(), "the decoded value does not implement it")
	}
	rv.Set(vv)
	return nil
}

// decodeBytes decodes a bin (or, unless strict, a str) into a []byte-kinded slice and
// reports whether h was one.
func (d *decoder) decodeBytes(h head, rv reflect.Value) (bool, error) {
	if h.k != kBin && (h.k != kStr || d.strict) {
		return false, nil
	}
	b, err := d.take(h.n)
	if err != nil {
		return true, err
	}
	rv.SetBytes(append(make([]byte, 0, len(b)), b...))
	return true, nil
}

func sliceDecoder(t reflect.Type) decodeFunc {
	elem := planFor(t.Elem())
	isBytes := t.Elem().Kind() == reflect.Uint8
	empty := reflect.MakeSlice(t, 0, 0) // shared: appending to it always reallocates
	return func(d *decoder, h head, rv reflect.Value) error {
		if isBytes {
			if done, err := d.decodeBytes(h, rv); done {
				return err
			}
		}
		if h.k != kArray {
			return d.mismatch(h, t, "")
		}
		if h.n == 0 {
			rv.Set(empty)
			return nil
		}
		// A new backing array, which replaces the old slice: Grow on a nil slice
		// allocates only the array, where MakeSlice would allocate its header too.
		rv.SetZero()
		rv.Grow(h.n)
		rv.SetLen(h.n)
		for i := range h.n {
			if err := d.intoPlan(elem, rv.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

func arrayDecoder(t reflect.Type) decodeFunc {
	elem := planFor(t.Elem())
	isBytes := t.Elem().Kind() == reflect.Uint8
	return func(d *decoder, h head, rv reflect.Value) error {
		if isBytes && (h.k == kBin || (h.k == kStr && !d.strict)) {
			if h.n > rv.Len() {
				return d.mismatch(h, t, "too long")
			}
			b, err := d.take(h.n)
			if err != nil {
				return err
			}
			rv.SetZero()
			reflect.Copy(rv, reflect.ValueOf(b))
			return nil
		}
		if h.k != kArray {
			return d.mismatch(h, t, "")
		}
		if h.n > rv.Len() {
			return d.mismatch(h, t, "too many elements")
		}
		rv.SetZero()
		for i := range h.n {
			if err := d.intoPlan(elem, rv.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

func mapDecoder(t reflect.Type) decodeFunc {
	keyFn := decodeFuncFor(t.Key())
	elem := planFor(t.Elem())
	keyIsInterface := t.Key().Kind() == reflect.Interface
	stringAny := t == mapStringAnyType
	return func(d *decoder, h head, rv reflect.Value) error {
		if h.k != kMap {
			return d.mismatch(h, t, "")
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMapWithSize(t, h.n))
		}
		if stringAny && rv.CanInterface() {
			// The most common map: filled directly, without key and value holders.
			return d.fillStringAnyMap(h, rv.Interface().(map[string]any))
		}
		key := reflect.New(t.Key()).Elem()
		val := reflect.New(t.Elem()).Elem()
		for range h.n {
			kh, err := d.next()
			if err != nil {
				return err
			}
			if kh.k == kNil {
				key.SetZero()
			} else if err := keyFn(d, kh, key); err != nil {
				return err
			}
			if keyIsInterface && !key.IsNil() && !key.Elem().Type().Comparable() {
				return &DecodeError{Offset: kh.at, Reason: "a map key is an array, map, bin or ext value", Err: ErrUnhashableKey}
			}
			val.SetZero()
			if err := d.intoPlan(elem, val); err != nil {
				return err
			}
			rv.SetMapIndex(key, val)
		}
		return nil
	}
}

// fieldDecoder is one struct field in a decoder plan.
type fieldDecoder struct {
	name   string
	field  *structField
	direct int // the field's index when it is not promoted from an embedded struct, else -1
	plan   elemPlan
}

func structDecoder(t reflect.Type) decodeFunc {
	si := cachedStructInfo(t)
	fields := make([]fieldDecoder, len(si.fields))
	for i := range si.fields {
		f := &si.fields[i]
		fd := fieldDecoder{name: f.name, field: f, direct: -1, plan: planFor(t.FieldByIndex(f.index).Type)}
		if len(f.index) == 1 {
			fd.direct = f.index[0]
		}
		fields[i] = fd
	}
	return func(d *decoder, h head, rv reflect.Value) error {
		if h.k != kMap {
			return d.mismatch(h, t, "")
		}
		expect := 0 // writers emit fields in declaration order: try the next one first
		for range h.n {
			kh, name, err := d.fieldName()
			if err != nil {
				return err
			}
			if kh.k != kStr {
				if err := d.skipFrom(kh); err != nil {
					return err
				}
				if err := d.skip(); err != nil { // the value of a key no field has
					return err
				}
				continue
			}
			i := -1
			if expect < len(fields) && string(name) == fields[expect].name {
				i = expect
			} else if j, ok := si.byName[string(name)]; ok {
				i = j
			}
			if i < 0 {
				if err := d.skip(); err != nil {
					return err
				}
				continue
			}
			expect = i + 1
			f := &fields[i]
			var fv reflect.Value
			if f.direct >= 0 {
				fv = rv.Field(f.direct)
			} else {
				var ok bool
				if fv, ok = fieldForWrite(rv, f.field); !ok {
					return d.mismatch(kh, t, "field "+f.name+" sits behind a nil embedded pointer to an unexported struct")
				}
			}
			if err := d.intoPlan(f.plan, fv); err != nil {
				return err
			}
		}
		return nil
	}
}

// fieldName reads a map key in a struct: its header, and its bytes when it is a str.
// A fixstr, what every writer uses for field names, is read inline.
func (d *decoder) fieldName() (head, []byte, error) {
	if at := d.off; at < len(d.data) {
		if c := d.data[at]; c&0xe0 == fmtFixstr {
			if end := at + 1 + int(c&0x1f); end <= len(d.data) {
				d.off = end
				return head{k: kStr, at: at, n: end - at - 1}, d.data[at+1 : end : end], nil
			}
		}
	}
	kh, err := d.next()
	if err != nil || kh.k != kStr {
		return kh, nil, err
	}
	name, err := d.take(kh.n)
	return kh, name, err
}

func pointerDecoder(t reflect.Type) decodeFunc {
	// A self-referential pointer type (type P *P) never reaches a non-pointer: the plan
	// is then an error, as is any chain of more than MaxDepth pointers.
	levels, base := 0, t
	for base.Kind() == reflect.Pointer && levels <= MaxDepth {
		base, levels = base.Elem(), levels+1
	}
	if levels > MaxDepth {
		return func(d *decoder, h head, rv reflect.Value) error {
			return d.mismatch(h, t, "pointers nest deeper than 100 levels")
		}
	}
	baseFn := decodeFuncFor(base)
	return func(d *decoder, h head, rv reflect.Value) error {
		for range levels {
			if rv.IsNil() {
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		return baseFn(d, h, rv)
	}
}

func decodeTime(d *decoder, h head, rv reflect.Value) error {
	t, err := d.timeValue(h)
	if err != nil {
		return err
	}
	if p, ok := addressOf[time.Time](rv); ok {
		*p = t
		return nil
	}
	rv.Set(reflect.ValueOf(t))
	return nil
}

// timeValue decodes a temporal sentinel map or a timestamp extension into a time.Time.
func (d *decoder) timeValue(h head) (time.Time, error) {
	switch h.k {
	case kExt:
		b, err := d.take(h.n)
		if err != nil {
			return time.Time{}, err
		}
		t, ok := decodeTimestampExt(b)
		if h.ext != extTimestamp || !ok {
			return time.Time{}, d.mismatch(h, timeType, "not a timestamp extension")
		}
		return t, nil
	case kMap:
	default:
		return time.Time{}, d.mismatch(h, timeType, "")
	}
	var marker string
	var text []byte
	var haveText, other bool
	for range h.n {
		kh, err := d.next()
		if err != nil {
			return time.Time{}, err
		}
		if kh.k != kStr {
			other = true
			if err := d.skipFrom(kh); err != nil {
				return time.Time{}, err
			}
			if err := d.skip(); err != nil {
				return time.Time{}, err
			}
			continue
		}
		kb, err := d.take(kh.n)
		if err != nil {
			return time.Time{}, err
		}
		vh, err := d.next()
		if err != nil {
			return time.Time{}, err
		}
		switch m := markerOf(kb); {
		case m != "" && vh.k == kBool && vh.bool():
			marker = m
		case string(kb) == keyValue && vh.k == kStr:
			if text, err = d.take(vh.n); err != nil {
				return time.Time{}, err
			}
			haveText = true
		default:
			other = true
			if err := d.skipFrom(vh); err != nil {
				return time.Time{}, err
			}
		}
	}
	if other || marker == "" || !haveText {
		return time.Time{}, d.mismatch(h, timeType, "not a temporal sentinel map")
	}
	t, ok := parseTemporalText(marker, text)
	if !ok {
		return time.Time{}, &DecodeError{Offset: h.at, Reason: "the text of a " + marker + " sentinel is not valid ISO 8601", Err: ErrInvalidTemporal}
	}
	return t, nil
}
