package codec

import (
	"fmt"
	"math"
	"reflect"
)

var extType = reflect.TypeFor[Ext]()

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

func (d *decoder) intoFrom(h head, rv reflect.Value) error {
	if !rv.CanSet() {
		return d.mismatch(h, rv.Type(), "the destination cannot be set")
	}
	if h.k == kNil {
		rv.SetZero()
		return nil
	}
	t := rv.Type()
	switch t {
	case timeType:
		return d.timeFrom(h, rv)
	case extType:
		if h.k != kExt {
			return d.mismatch(h, t, "")
		}
		b, err := d.take(h.n)
		if err != nil {
			return err
		}
		rv.Set(reflect.ValueOf(Ext{Type: h.ext, Data: append(make([]byte, 0, len(b)), b...)}))
		return nil
	}
	switch rv.Kind() {
	case reflect.Pointer:
		// Iterate, so that a self-referential pointer type (type P *P) ends in an error.
		for hops := 0; rv.Kind() == reflect.Pointer; hops++ {
			if hops == MaxDepth {
				return d.mismatch(h, t, "pointers nest deeper than 100 levels")
			}
			if rv.IsNil() {
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		return d.intoFrom(h, rv)
	case reflect.Interface:
		return d.interfaceFrom(h, rv)
	case reflect.Bool:
		if h.k != kBool {
			return d.mismatch(h, t, "")
		}
		rv.SetBool(h.b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, ok := d.asInt(h)
		if !ok || rv.OverflowInt(x) {
			return d.mismatch(h, t, "out of range or not an integer")
		}
		rv.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x, ok := d.asUint(h)
		if !ok || rv.OverflowUint(x) {
			return d.mismatch(h, t, "out of range or not an integer")
		}
		rv.SetUint(x)
	case reflect.Float32, reflect.Float64:
		var f float64
		switch h.k {
		case kFloat:
			f = h.f
		case kUint:
			f = float64(h.u)
		case kInt:
			f = float64(h.i)
		default:
			return d.mismatch(h, t, "")
		}
		if rv.OverflowFloat(f) {
			return d.mismatch(h, t, "out of range")
		}
		rv.SetFloat(f)
	case reflect.String:
		if h.k != kStr && (d.strict || h.k != kBin) {
			return d.mismatch(h, t, "")
		}
		b, err := d.take(h.n)
		if err != nil {
			return err
		}
		rv.SetString(string(b))
	case reflect.Slice:
		return d.sliceFrom(h, rv)
	case reflect.Array:
		return d.arrayFrom(h, rv)
	case reflect.Map:
		return d.mapFrom(h, rv)
	case reflect.Struct:
		return d.structFrom(h, rv)
	default:
		return d.mismatch(h, t, "the Go type has no MessagePack form")
	}
	return nil
}

func (d *decoder) asInt(h head) (int64, bool) {
	switch h.k {
	case kInt:
		return h.i, true
	case kUint:
		return int64(h.u), h.u <= math.MaxInt64
	case kFloat:
		if !d.strict && h.f == math.Trunc(h.f) && h.f >= -(1<<63) && h.f < 1<<63 {
			return int64(h.f), true
		}
	}
	return 0, false
}

func (d *decoder) asUint(h head) (uint64, bool) {
	switch h.k {
	case kUint:
		return h.u, true
	case kInt:
		return uint64(h.i), h.i >= 0
	case kFloat:
		if !d.strict && h.f == math.Trunc(h.f) && h.f >= 0 && h.f < 1<<64 {
			return uint64(h.f), true
		}
	}
	return 0, false
}

func (d *decoder) interfaceFrom(h head, rv reflect.Value) error {
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
	vv := reflect.ValueOf(v)
	if !vv.Type().AssignableTo(rv.Type()) {
		return d.mismatch(h, rv.Type(), "the decoded value does not implement it")
	}
	rv.Set(vv)
	return nil
}

func (d *decoder) sliceFrom(h head, rv reflect.Value) error {
	t := rv.Type()
	if t.Elem().Kind() == reflect.Uint8 && (h.k == kBin || (h.k == kStr && !d.strict)) {
		b, err := d.take(h.n)
		if err != nil {
			return err
		}
		rv.SetBytes(append(make([]byte, 0, len(b)), b...))
		return nil
	}
	if h.k != kArray {
		return d.mismatch(h, t, "")
	}
	s := reflect.MakeSlice(t, h.n, h.n)
	for i := range h.n {
		if err := d.into(s.Index(i)); err != nil {
			return err
		}
	}
	rv.Set(s)
	return nil
}

func (d *decoder) arrayFrom(h head, rv reflect.Value) error {
	t := rv.Type()
	if t.Elem().Kind() == reflect.Uint8 && (h.k == kBin || (h.k == kStr && !d.strict)) {
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
		if err := d.into(rv.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) mapFrom(h head, rv reflect.Value) error {
	t := rv.Type()
	if h.k != kMap {
		return d.mismatch(h, t, "")
	}
	if rv.IsNil() {
		rv.Set(reflect.MakeMapWithSize(t, h.n))
	}
	key := reflect.New(t.Key()).Elem()
	val := reflect.New(t.Elem()).Elem()
	keyIsInterface := t.Key().Kind() == reflect.Interface
	for range h.n {
		key.SetZero()
		kh, err := d.next()
		if err != nil {
			return err
		}
		if err := d.intoFrom(kh, key); err != nil {
			return err
		}
		if keyIsInterface && !key.IsNil() && !key.Elem().Type().Comparable() {
			return &DecodeError{Offset: kh.at, Reason: "a map key is an array, map, bin or ext value", Err: ErrUnhashableKey}
		}
		val.SetZero()
		if err := d.into(val); err != nil {
			return err
		}
		rv.SetMapIndex(key, val)
	}
	return nil
}

func (d *decoder) structFrom(h head, rv reflect.Value) error {
	t := rv.Type()
	if h.k != kMap {
		return d.mismatch(h, t, "")
	}
	si := cachedStructInfo(t)
	for range h.n {
		kh, err := d.next()
		if err != nil {
			return err
		}
		if kh.k == kStr {
			name, err := d.take(kh.n)
			if err != nil {
				return err
			}
			if i, ok := si.byName[string(name)]; ok {
				fv, ok := fieldForWrite(rv, &si.fields[i])
				if !ok {
					return d.mismatch(kh, t, "field "+si.fields[i].name+" sits behind a nil embedded pointer to an unexported struct")
				}
				if err := d.into(fv); err != nil {
					return err
				}
				continue
			}
		} else if err := d.skipFrom(kh); err != nil {
			return err
		}
		if err := d.skip(); err != nil { // the value of an unknown key
			return err
		}
	}
	return nil
}

// timeFrom decodes a temporal sentinel map or a timestamp extension into a time.Time.
func (d *decoder) timeFrom(h head, rv reflect.Value) error {
	switch h.k {
	case kExt:
		b, err := d.take(h.n)
		if err != nil {
			return err
		}
		t, ok := decodeTimestampExt(b)
		if h.ext != extTimestamp || !ok {
			return d.mismatch(h, timeType, "not a timestamp extension")
		}
		rv.Set(reflect.ValueOf(t))
		return nil
	case kMap:
	default:
		return d.mismatch(h, timeType, "")
	}
	var marker, text string
	var haveText, other bool
	for range h.n {
		kh, err := d.next()
		if err != nil {
			return err
		}
		if kh.k != kStr {
			other = true
			if err := d.skipFrom(kh); err != nil {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		kb, err := d.take(kh.n)
		if err != nil {
			return err
		}
		vh, err := d.next()
		if err != nil {
			return err
		}
		switch key := string(kb); {
		case isTemporalMarker(key) && vh.k == kBool && vh.b:
			marker = key
		case key == keyValue && vh.k == kStr:
			b, err := d.take(vh.n)
			if err != nil {
				return err
			}
			text, haveText = string(b), true
		default:
			other = true
			if err := d.skipFrom(vh); err != nil {
				return err
			}
		}
	}
	if other || marker == "" || !haveText {
		return d.mismatch(h, timeType, "not a temporal sentinel map")
	}
	t, ok := parseTemporal(marker, text)
	if !ok {
		return &DecodeError{Offset: h.at, Reason: "the text of a " + marker + " sentinel is not valid ISO 8601", Err: ErrInvalidTemporal}
	}
	rv.Set(reflect.ValueOf(t))
	return nil
}
