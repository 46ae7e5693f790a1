package cachekit

import (
	"context"
	"strings"
	"testing"
)

// TestMemoizeHitAllocations: a memoized L1 hit allocates what Get[T] of the same value
// allocates, for every arity, once the memoizer remembers the key of its arguments:
// the argument list, the closure that binds the arguments and the key stay off the
// heap. The arguments are integers in [0, 256) and bools, which Go boxes without
// allocating; other values cost one allocation each when boxed into the argument list.
// Arguments the memoizer does not remember (here a string longer than
// maxRememberedString) add the key string and its boxing, and nothing else.
func TestMemoizeHitAllocations(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, Options{Namespace: "app"})
	type user struct {
		ID   int    `msgpack:"id"`
		Name string `msgpack:"name"`
	}
	ada := user{ID: 7, Name: "Ada"}
	if err := c.Set(ctx, "u", ada); err != nil {
		t.Fatal(err)
	}
	getAllocs := testing.AllocsPerRun(200, func() {
		if _, found, err := Get[user](ctx, c, "u"); err != nil || !found {
			t.Fatalf("Get = %v, %v", found, err)
		}
	})

	runs := 0
	load := func() (user, error) { runs++; return ada, nil }
	m0, err0 := Memoize(c, "zero", func(context.Context) (user, error) { return load() })
	m1, err1 := Memoize1(c, "one", func(context.Context, int) (user, error) { return load() })
	m2, err2 := Memoize2(c, "two", func(context.Context, int, uint8) (user, error) { return load() })
	m3, err3 := Memoize3(c, "three", func(context.Context, int, int64, bool) (user, error) { return load() })
	mLong, errLong := Memoize1(c, "long", func(context.Context, string) (user, error) { return load() })
	long := strings.Repeat("x", maxRememberedString+1)
	for _, err := range []error{err0, err1, err2, err3, errLong} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, call := range []struct {
		name  string
		call  func() (user, error)
		extra float64 // allocations beyond Get's
	}{
		{"Memoize", func() (user, error) { return m0(ctx) }, 0},
		{"Memoize1", func() (user, error) { return m1(ctx, 42) }, 0},
		{"Memoize2", func() (user, error) { return m2(ctx, 42, 7) }, 0},
		{"Memoize3", func() (user, error) { return m3(ctx, 42, 5, true) }, 0},
		{"not remembered", func() (user, error) { return mLong(ctx, long) }, 2},
	} {
		t.Run(call.name, func(t *testing.T) {
			if _, err := call.call(); err != nil { // the miss that fills the L1
				t.Fatal(err)
			}
			before := runs
			allocs := testing.AllocsPerRun(200, func() {
				if v, err := call.call(); err != nil || v != ada {
					t.Fatalf("call = %+v, %v", v, err)
				}
			})
			if runs != before {
				t.Fatalf("the function ran %d times: the calls were not hits", runs-before)
			}
			if allocs > getAllocs+call.extra {
				t.Errorf("memoized hit: %v allocations, want at most %v (Get[T] of the same value: %v)", allocs, getAllocs+call.extra, getAllocs)
			}
		})
	}
}
