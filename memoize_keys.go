package cachekit

import (
	"hash/maphash"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

// A memoizer remembers the keys of its recent argument lists, because the interop/v1
// key costs a BLAKE2b-256 per call, as much again as the L1 hit it leads to. Only lists
// whose equality (==) implies an equal key are remembered: at most
// maxRememberedArgs arguments, each a non-pointer scalar (strings up to
// maxRememberedString bytes, bools, integers, floats, UUIDs, times, and named types of
// those kinds; not bytes, which are not comparable, nor pointers, whose target may
// change). Anything else is keyed afresh on every call. Equal times are the same
// instant in the same zone; the same instant in another zone misses but gets the same
// key.
//
// The memory is a direct-mapped table of recentKeySlots entries: a list takes the slot
// its hash names, replacing whatever was there, so the table never grows. Lookups and
// replacements are one atomic load or store; an entry never changes once published.
const (
	recentKeySlots      = 256
	maxRememberedArgs   = 3
	maxRememberedString = 128
)

// recentKeys is a memoizer's table of remembered keys.
type recentKeys struct {
	seed  maphash.Seed
	slots [recentKeySlots]atomic.Pointer[recentKey]
}

// recentKey is one remembered argument list and its client key.
type recentKey struct {
	n    int
	args [maxRememberedArgs]any
	key  string
}

func newRecentKeys() *recentKeys { return &recentKeys{seed: maphash.MakeSeed()} }

// find returns the remembered key of args (never "": a key is not empty). When there
// is none, slot is where to remember it, nil when args cannot be remembered.
func (rk *recentKeys) find(args []any) (key string, slot *atomic.Pointer[recentKey]) {
	if len(args) > maxRememberedArgs {
		return "", nil
	}
	var h maphash.Hash
	h.SetSeed(rk.seed)
	for _, a := range args {
		if !hashArg(&h, a) {
			return "", nil
		}
	}
	slot = &rk.slots[h.Sum64()%recentKeySlots]
	if e := slot.Load(); e != nil && e.n == len(args) {
		var list [maxRememberedArgs]any
		copy(list[:], args)
		if e.args == list { // every argument is comparable: hashArg took it
			return e.key, nil
		}
	}
	return "", slot
}

// remember stores the key of args in slot, a slot find returned for args.
func (rk *recentKeys) remember(slot *atomic.Pointer[recentKey], args []any, key string) {
	e := &recentKey{n: len(args), key: key}
	copy(e.args[:], args)
	slot.Store(e)
}

// hashArg adds one argument to h, consistently with ==, and reports whether it can be
// remembered.
func hashArg(h *maphash.Hash, a any) bool {
	switch x := a.(type) {
	case string:
		if len(x) > maxRememberedString {
			return false
		}
		h.WriteString(x)
		return true
	case int:
		maphash.WriteComparable(h, int64(x))
		return true
	case int64:
		maphash.WriteComparable(h, x)
		return true
	case uint64:
		maphash.WriteComparable(h, x)
		return true
	case bool:
		maphash.WriteComparable(h, x)
		return true
	case float64:
		maphash.WriteComparable(h, x) // +0 and -0 hash alike, as they compare equal
		return true
	case cachekey.UUID:
		_, _ = h.Write(x[:])
		return true
	case [16]byte:
		_, _ = h.Write(x[:])
		return true
	case nil:
		_ = h.WriteByte(0)
		return true
	case time.Time:
		maphash.WriteComparable(h, x.Unix())
		maphash.WriteComparable(h, x.Nanosecond())
		return true
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Bool:
		maphash.WriteComparable(h, rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		maphash.WriteComparable(h, rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		maphash.WriteComparable(h, rv.Uint())
	case reflect.Float32, reflect.Float64:
		maphash.WriteComparable(h, rv.Float())
	case reflect.String:
		if rv.Len() > maxRememberedString {
			return false
		}
		h.WriteString(rv.String())
	default:
		return false
	}
	return true
}
