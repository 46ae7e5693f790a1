package codec

import (
	"reflect"
	"sync"
)

// A decodeFunc decodes the value whose header h has been read, and is not nil, into
// rv: settable, and of the Go type the function was planned for.
//
// Decoding into a typed value follows a plan built once per Go type and cached: the
// function for the type's kind, holding the plans of its element, key and field types
// and a struct's field table, so that decoding does not look at a reflect.Type again.
type decodeFunc func(d *decoder, h head, rv reflect.Value) error

var decodePlans sync.Map // reflect.Type -> decodeFunc

// decodeFuncFor returns the plan for t, building it on first use.
func decodeFuncFor(t reflect.Type) decodeFunc {
	if fn, ok := decodePlans.Load(t); ok {
		return fn.(decodeFunc)
	}
	// A recursive type reaches itself while its plan is being built: the entry stored
	// first forwards to the plan once it is ready, so the build ends. Other goroutines
	// that load it meanwhile wait for the build.
	var (
		ready sync.WaitGroup
		built decodeFunc
	)
	ready.Add(1)
	forward := decodeFunc(func(d *decoder, h head, rv reflect.Value) error {
		ready.Wait()
		return built(d, h, rv)
	})
	if fn, loaded := decodePlans.LoadOrStore(t, forward); loaded {
		return fn.(decodeFunc)
	}
	built = buildDecodeFunc(t)
	ready.Done()
	decodePlans.Store(t, built)
	return built
}

func buildDecodeFunc(t reflect.Type) decodeFunc {
	switch t {
	case timeType:
		return decodeTime
	case extType:
		return decodeExt
	}
	switch t.Kind() {
	case reflect.Pointer:
		return pointerDecoder(t)
	case reflect.Interface:
		return decodeInterface
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.String:
		return decodeString
	case reflect.Slice:
		return sliceDecoder(t)
	case reflect.Array:
		return arrayDecoder(t)
	case reflect.Map:
		return mapDecoder(t)
	case reflect.Struct:
		return structDecoder(t)
	}
	return decodeUnsupported
}

// leaf names the Go types whose most common encodings intoPlan reads inline.
type leaf uint8

const (
	leafOther leaf = iota
	leafString
	leafInt
	leafUint
	leafFloat64
	leafBool
)

// elemPlan is the plan of an element, key or field type, with its leaf class.
type elemPlan struct {
	fn   decodeFunc
	leaf leaf
}

func planFor(t reflect.Type) elemPlan {
	p := elemPlan{fn: decodeFuncFor(t)}
	switch t.Kind() {
	case reflect.String:
		p.leaf = leafString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.leaf = leafInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.leaf = leafUint
	case reflect.Float64:
		p.leaf = leafFloat64
	case reflect.Bool:
		p.leaf = leafBool
	}
	return p
}
