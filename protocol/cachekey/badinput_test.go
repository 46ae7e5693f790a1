package cachekey_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

type nestedList []nestedList

type nestedMap map[string]nestedMap

// wrap nests inner levels deep in the container the name says; the innermost value
// is an integer.
func wrap(t *testing.T, kind string, levels int) any {
	t.Helper()
	var v any = 1
	for range levels {
		switch kind {
		case "[]any":
			v = []any{v}
		case "map[string]any":
			v = map[string]any{"k": v}
		case "Set":
			v = cachekey.Set{v}
		default:
			t.Fatalf("unknown container %q", kind)
		}
	}
	return v
}

func typedList(levels int) nestedList {
	v := nestedList{}
	for range levels - 1 {
		v = nestedList{v}
	}
	return v
}

func typedMap(levels int) nestedMap {
	v := nestedMap{}
	for range levels - 1 {
		v = nestedMap{"k": v}
	}
	return v
}

// TestDepthLimitIsTheSameForEveryContainer: the argument array is level 1, so an
// argument may nest 99 containers and no more, whichever kind of container it is.
// The limit must not depend on the path (typed or untyped, map, list or set), and the
// refusal must be ErrTooDeep from every path.
func TestDepthLimitIsTheSameForEveryContainer(t *testing.T) {
	t.Parallel()
	build := map[string]func(levels int) any{
		"[]any":          func(n int) any { return wrap(t, "[]any", n) },
		"map[string]any": func(n int) any { return wrap(t, "map[string]any", n) },
		"Set":            func(n int) any { return wrap(t, "Set", n) },
		"typed slice":    func(n int) any { return typedList(n) },
		"typed map":      func(n int) any { return typedMap(n) },
	}
	for name, mk := range build {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := cachekey.CanonicalArgs(mk(maxArgumentNesting)); err != nil {
				t.Fatalf("%d levels refused: %v", maxArgumentNesting, err)
			}
			_, err := cachekey.CanonicalArgs(mk(maxArgumentNesting + 1))
			var ke *cachekey.KeyError
			if !errors.Is(err, cachekey.ErrTooDeep) || !errors.As(err, &ke) {
				t.Fatalf("%d levels: error %v, want a *KeyError of ErrTooDeep", maxArgumentNesting+1, err)
			}
			if !strings.HasPrefix(ke.Where, "args[0]") {
				t.Fatalf("error at %q, want it inside args[0]", ke.Where)
			}
		})
	}
}

// maxArgumentNesting is the deepest nesting an argument may have: codec.MaxDepth less the
// argument array itself.
const maxArgumentNesting = 99

// TestTypedContainerErrors covers the refusals reached through reflection (named and
// typed containers, pointers to values normalize handles directly).
func TestTypedContainerErrors(t *testing.T) {
	t.Parallel()
	huge := new(big.Int).Lsh(big.NewInt(1), 64)
	far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		arg   any
		want  error
		where string
	}{
		{"invalid UTF-8 key in a typed map", map[string]int{"\xff": 1}, cachekey.ErrInvalidUTF8, "args[0]"},
		{"NaN value in a typed map", map[string]float64{"a": math.NaN()}, cachekey.ErrNonFinite, "args[0][map value]"},
		{"big.Int above 2^64-1 behind two pointers", &huge, cachekey.ErrOutOfRange, "args[0]"},
		{"time beyond int64 microseconds behind a pointer", &far, cachekey.ErrOutOfRange, "args[0]"},
		{"struct in a set", cachekey.Set{1, struct{}{}}, cachekey.ErrUnsupportedType, "args[0]{set element}"},
		{"channel in a typed slice", []chan int{make(chan int)}, cachekey.ErrUnsupportedType, "args[0][0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := cachekey.CanonicalArgs(tt.arg)
			var ke *cachekey.KeyError
			if !errors.Is(err, tt.want) || !errors.As(err, &ke) {
				t.Fatalf("error %v, want a *KeyError of %v", err, tt.want)
			}
			if !strings.HasPrefix(ke.Where, tt.where) {
				t.Fatalf("error at %q, want it at %q", ke.Where, tt.where)
			}
		})
	}
}

// TestPointersReachTheDirectRules: values behind pointers follow the same rules as the
// values themselves, including the edges of their ranges.
func TestPointersReachTheDirectRules(t *testing.T) {
	t.Parallel()
	maxUint := new(big.Int).SetUint64(math.MaxUint64)
	when := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name     string
		indirect any
		direct   any
	}{
		{"big.Int 2^64-1 behind two pointers", &maxUint, uint64(math.MaxUint64)},
		{"big.Int 2^64-1", maxUint, uint64(math.MaxUint64)},
		{"time behind a pointer", &when, when},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cachekey.CanonicalArgs(tt.indirect)
			if err != nil {
				t.Fatal(err)
			}
			want, err := cachekey.CanonicalArgs(tt.direct)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("got % x, want % x", got, want)
			}
		})
	}
}

// TestHugeArgumentListsAgree: a list of 2^16 arguments needs the 32-bit array header;
// the scalar path must write it as the general path does.
func TestHugeArgumentListsAgree(t *testing.T) {
	t.Parallel()
	args := make([]any, 1<<16)
	for i := range args {
		args[i] = i % 3
	}
	scalar, ok := cachekey.ScalarCanonicalArgs(args...)
	if !ok {
		t.Fatal("the scalar path refused a list of integers")
	}
	general, err := cachekey.GeneralCanonicalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	if string(scalar) != string(general) {
		t.Fatal("the scalar and general paths disagree on a list of 2^16 arguments")
	}
	if want := "\xdd\x00\x01\x00\x00"; !strings.HasPrefix(string(scalar), want) {
		t.Fatalf("header % x, want % x (array 32)", scalar[:5], want)
	}
}
