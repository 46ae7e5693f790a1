package codec

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// structField is one struct field as MessagePack sees it: a map key and where to find
// the value.
type structField struct {
	name      string
	key       []byte // name encoded as a MessagePack str, header included
	index     []int  // path for reflect.Value.FieldByIndex (longer than 1 for embedded fields)
	omitEmpty bool
	viaPtr    bool // the path crosses an embedded pointer, which may be nil
}

// structInfo is the cached field layout of one struct type.
type structInfo struct {
	fields   []structField // declaration order (Marshal)
	sorted   []structField // by name in byte order (MarshalCanonical)
	byName   map[string]int
	mayOmit  bool // some field can be left out, so the map length needs a counting pass
	keysUTF8 bool // every name is valid UTF-8 (MarshalCanonical needs it)
}

var structInfos sync.Map // reflect.Type -> *structInfo

func cachedStructInfo(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si, _ := structInfos.LoadOrStore(t, buildStructInfo(t))
	return si.(*structInfo)
}

type candidate struct {
	structField
	depth  int
	tagged bool
}

// buildStructInfo lists the encodable fields of t. The rules are encoding/json's, with
// the msgpack tag taking precedence over the json tag:
//
//   - the name comes from the `msgpack` tag, else the `json` tag, else the field name;
//   - a tag name of "-" (with no options) drops the field; "omitempty" and "omitzero"
//     leave the field out when it holds its empty value;
//   - unexported fields are ignored;
//   - an embedded struct (or pointer to struct) without a tag name has its fields
//     promoted; between fields of the same name the shallowest wins, then a tagged one,
//     and if that still leaves several, none is encoded.
func buildStructInfo(t reflect.Type) *structInfo {
	var all []candidate
	collectFields(t, nil, 0, false, map[reflect.Type]bool{}, &all)

	byName := map[string][]candidate{}
	var order []string
	for _, c := range all {
		if _, seen := byName[c.name]; !seen {
			order = append(order, c.name)
		}
		byName[c.name] = append(byName[c.name], c)
	}
	si := &structInfo{byName: map[string]int{}, keysUTF8: true}
	var chosen []candidate
	for _, name := range order {
		if c, ok := dominant(byName[name]); ok {
			chosen = append(chosen, c)
		}
	}
	// Declaration order: compare index paths.
	slices.SortStableFunc(chosen, func(a, b candidate) int { return slices.Compare(a.index, b.index) })
	for i, c := range chosen {
		f := c.structField
		f.key = appendStr(nil, f.name)
		si.fields = append(si.fields, f)
		si.byName[f.name] = i
		if f.omitEmpty || f.viaPtr {
			si.mayOmit = true
		}
		if !validUTF8(f.name) {
			si.keysUTF8 = false
		}
	}
	si.sorted = slices.Clone(si.fields)
	slices.SortFunc(si.sorted, func(a, b structField) int { return strings.Compare(a.name, b.name) })
	return si
}

func dominant(cs []candidate) (candidate, bool) {
	minDepth := cs[0].depth
	for _, c := range cs {
		minDepth = min(minDepth, c.depth)
	}
	var best []candidate
	for _, c := range cs {
		if c.depth == minDepth {
			best = append(best, c)
		}
	}
	if len(best) == 1 {
		return best[0], true
	}
	var tagged []candidate
	for _, c := range best {
		if c.tagged {
			tagged = append(tagged, c)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return candidate{}, false
}

func collectFields(t reflect.Type, index []int, depth int, viaPtr bool, visiting map[reflect.Type]bool, out *[]candidate) {
	if visiting[t] {
		return // an embedding cycle through pointers
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("msgpack")
		if !ok {
			tag, ok = sf.Tag.Lookup("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if ok && tag == "-" {
			continue
		}
		path := append(slices.Clone(index), i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			isPtr := ft.Kind() == reflect.Pointer
			if isPtr {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, path, depth+1, viaPtr || isPtr, visiting, out)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		c := candidate{depth: depth, tagged: name != ""}
		if name == "" {
			name = sf.Name
		}
		c.name = name
		c.index = path
		c.viaPtr = viaPtr
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "omitempty" || opt == "omitzero" {
				c.omitEmpty = true
			}
		}
		*out = append(*out, c)
	}
}

// isEmptyValue is the omitempty test: false, 0, "", nil, zero length, or a zero struct.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.Struct:
		return v.IsZero()
	}
	return false
}

// fieldForRead returns the field at f.index, or false when an embedded pointer on the
// way is nil (the field is then absent).
func fieldForRead(v reflect.Value, f *structField) (reflect.Value, bool) {
	if len(f.index) == 1 {
		return v.Field(f.index[0]), true
	}
	for i, x := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// fieldForWrite returns the field at f.index, allocating nil embedded pointers. It
// reports false when a nil pointer on the way cannot be set (an embedded pointer to an
// unexported struct type, which reflection may read but not allocate).
func fieldForWrite(v reflect.Value, f *structField) (reflect.Value, bool) {
	if len(f.index) == 1 {
		return v.Field(f.index[0]), true
	}
	for i, x := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
