package codec

import (
	"math"
	"time"
)

// Ext is a MessagePack extension value, as decoding into an interface returns it for
// every extension type except the timestamp (-1, which becomes a time.Time). Marshal
// writes an Ext back in the shortest extension form; MarshalCanonical refuses it, since
// canonical MessagePack has no extension types.
type Ext struct {
	// Type is the application-defined extension type.
	Type int8
	// Data is the extension payload.
	Data []byte
}

// anyValue decodes the next value into the dynamic types listed on Unmarshal.
func (d *decoder) anyValue() (any, error) {
	h, err := d.next()
	if err != nil {
		return nil, err
	}
	return d.anyFrom(h)
}

func (d *decoder) anyFrom(h head) (any, error) {
	switch h.k {
	case kNil:
		return nil, nil
	case kBool:
		return h.bool(), nil
	case kUint:
		if h.uint() <= math.MaxInt64 {
			return int64(h.uint()), nil
		}
		return h.uint(), nil
	case kInt:
		return h.int(), nil
	case kFloat:
		return h.float(), nil
	case kStr:
		b, err := d.take(h.n)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case kBin:
		b, err := d.take(h.n)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, len(b)), b...), nil
	case kArray:
		arr := make([]any, h.n)
		for i := range arr {
			v, err := d.anyValue()
			if err != nil {
				return nil, err
			}
			arr[i] = v
		}
		return arr, nil
	case kMap:
		return d.mapAny(h)
	default: // kExt
		b, err := d.take(h.n)
		if err != nil {
			return nil, err
		}
		if h.ext == extTimestamp {
			if t, ok := decodeTimestampExt(b); ok {
				return t, nil
			}
		}
		return Ext{Type: h.ext, Data: append(make([]byte, 0, len(b)), b...)}, nil
	}
}

func (d *decoder) mapAny(h head) (any, error) {
	if h.n == 2 {
		// A two-entry map may be a temporal sentinel: recognise it where it stands,
		// before building a map it would be revived from.
		t, ok, err := d.sentinel(h)
		if ok || err != nil {
			return t, err
		}
	}
	m := make(map[string]any, h.n)
	for i := 0; i < h.n; i++ {
		kh, err := d.next()
		if err != nil {
			return nil, err
		}
		if kh.k != kStr {
			return d.mapAnyGeneric(m, kh, i, h.n)
		}
		kb, err := d.take(kh.n)
		if err != nil {
			return nil, err
		}
		v, err := d.anyValue()
		if err != nil {
			return nil, err
		}
		m[string(kb)] = v
	}
	if len(m) == 2 && h.n != 2 {
		// Duplicate keys collapsed into two entries: the map is revived as it reads.
		t, ok, err := reviveTemporal(m, h.at)
		if err != nil {
			return nil, err
		}
		if ok {
			return t, nil
		}
	}
	return m, nil
}

// fillStringAnyMap decodes the h.n pairs of a map into m, as a decode into
// map[string]any does: keys must be str (or bin, unless strict), values decode as into
// an interface.
func (d *decoder) fillStringAnyMap(h head, m map[string]any) error {
	for range h.n {
		kh, err := d.next()
		if err != nil {
			return err
		}
		var key string
		switch {
		case kh.k == kNil: // the zero key, as for any other Go map
		case kh.k == kStr || (kh.k == kBin && !d.strict):
			kb, err := d.take(kh.n)
			if err != nil {
				return err
			}
			key = string(kb)
		default:
			return d.mismatch(kh, stringType, "")
		}
		v, err := d.anyValue()
		if err != nil {
			return err
		}
		m[key] = v
	}
	return nil
}

// mapAnyGeneric continues a map whose key number i (already read as kh) is not a
// string, moving the entries decoded so far into a map[any]any.
func (d *decoder) mapAnyGeneric(m map[string]any, kh head, i, n int) (any, error) {
	g := make(map[any]any, n)
	for k, v := range m {
		g[k] = v
	}
	for ; i < n; i++ {
		key, err := d.anyFrom(kh)
		if err != nil {
			return nil, err
		}
		if !hashable(key) {
			return nil, &DecodeError{Offset: kh.at, Reason: "a map key is an array, map, bin or ext value", Err: ErrUnhashableKey}
		}
		v, err := d.anyValue()
		if err != nil {
			return nil, err
		}
		g[key] = v
		if i+1 < n {
			if kh, err = d.next(); err != nil {
				return nil, err
			}
		}
	}
	return g, nil
}

func hashable(k any) bool {
	switch k.(type) {
	case []byte, []any, map[string]any, map[any]any, Ext:
		return false
	}
	return true
}

// reviveTemporal turns a two-entry map {"__datetime__" | "__date__" | "__time__": true,
// "value": "<text>"} into a time.Time (see parseTemporal). Any other map is left alone;
// a sentinel whose text does not parse is ErrInvalidTemporal.
func reviveTemporal(m map[string]any, at int) (time.Time, bool, error) {
	text, ok := m[keyValue].(string)
	if !ok {
		return time.Time{}, false, nil
	}
	for _, marker := range [...]string{keyDatetime, keyDate, keyTime} {
		if flag, ok := m[marker].(bool); ok && flag {
			t, ok := parseTemporal(marker, text)
			if !ok {
				return time.Time{}, false, &DecodeError{Offset: at, Reason: "the text of a " + marker + " sentinel is not valid ISO 8601", Err: ErrInvalidTemporal}
			}
			return t, true, nil
		}
	}
	return time.Time{}, false, nil
}
