package cachekit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

type interopKeyVectors struct {
	KeyVectors []struct {
		Name        string `json:"name"`
		Namespace   string `json:"namespace"`
		Operation   string `json:"operation"`
		Args        []any  `json:"args"`
		ExpectedKey string `json:"expected_key"`
	} `json:"key_vectors"`
}

// TestMemoizeInteropKeyVectors calls memoized functions with the arguments of every
// published interop/v1 key vector and checks the key the backend was written under:
// the key cachekit-py, cachekit-rs and cachekit-ts compute for the same call. Vectors
// with more than three arguments have no memoized arity; for them (and for all) the key
// path every arity shares is checked directly.
func TestMemoizeInteropKeyVectors(t *testing.T) {
	var v interopKeyVectors
	vectortest.Load(t, "interop-mode.json", &v)
	calls := vectortest.Tally{File: "interop-mode.json"}
	keys := vectortest.Tally{File: "interop-mode.json"}
	defer calls.Report(t, "key_vectors, stored by a memoized call (arity 0-3)")
	defer keys.Report(t, "key_vectors, memoizer key path (every arity)")
	ctx := context.Background()
	for _, vec := range v.KeyVectors {
		t.Run(vec.Name, func(t *testing.T) {
			args := make([]any, len(vec.Args))
			for i, a := range vec.Args {
				args[i] = fromTaggedJSON(t, a)
			}
			c, fb, _ := newMemoClient(t, Options{Namespace: vec.Namespace})
			m, err := newMemoizer[string](c, vec.Operation, false, nil)
			if err != nil {
				t.Fatalf("newMemoizer: %v", err)
			}
			key, err := m.key(args)
			if got := c.storageKey(key); err != nil || got != vec.ExpectedKey {
				keys.Fail()
				t.Errorf("key path: %q, %v; want %q", got, err, vec.ExpectedKey)
			} else {
				keys.Pass()
			}
			if len(args) > 3 {
				return
			}
			result := func(context.Context) (string, error) { return "ok", nil }
			switch len(args) {
			case 0:
				f, err := Memoize(c, vec.Operation, result)
				call(t, err, func() error { _, err := f(ctx); return err })
			case 1:
				f, err := Memoize1(c, vec.Operation, func(ctx context.Context, _ any) (string, error) { return result(ctx) })
				call(t, err, func() error { _, err := f(ctx, args[0]); return err })
			case 2:
				f, err := Memoize2(c, vec.Operation, func(ctx context.Context, _, _ any) (string, error) { return result(ctx) })
				call(t, err, func() error { _, err := f(ctx, args[0], args[1]); return err })
			case 3:
				f, err := Memoize3(c, vec.Operation, func(ctx context.Context, _, _, _ any) (string, error) { return result(ctx) })
				call(t, err, func() error { _, err := f(ctx, args[0], args[1], args[2]); return err })
			}
			stored := fb.keys()
			if len(stored) == 1 && stored[0] == vec.ExpectedKey {
				calls.Pass()
				return
			}
			calls.Fail()
			sort.Strings(stored)
			t.Errorf("backend keys %q, want exactly %q", stored, vec.ExpectedKey)
		})
	}
}

func call(t *testing.T, memoizeErr error, f func() error) {
	t.Helper()
	if memoizeErr != nil {
		t.Fatalf("Memoize: %v", memoizeErr)
	}
	if err := f(); err != nil {
		t.Fatalf("memoized call: %v", err)
	}
}

// fromTaggedJSON maps a vector argument in the file's tagged JSON (see its
// "tagged_json" section) onto Go values of the interop data model.
func fromTaggedJSON(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case json.Number:
		return integer(t, x.String())
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromTaggedJSON(t, e)
		}
		return out
	case map[string]any:
		if len(x) == 1 {
			for tag, val := range x {
				if strings.HasPrefix(tag, "$") {
					return fromTag(t, tag, val)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fromTaggedJSON(t, e)
		}
		return out
	}
	return v // string, bool, nil
}

func fromTag(t *testing.T, tag string, val any) any {
	t.Helper()
	switch tag {
	case "$int":
		return integer(t, val.(string))
	case "$float":
		f, err := strconv.ParseFloat(val.(string), 64)
		if err != nil {
			t.Fatalf("$float %v: %v", val, err)
		}
		return f
	case "$bytes":
		b, err := hex.DecodeString(val.(string))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "$datetime":
		tm, err := time.Parse(time.RFC3339Nano, val.(string))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	case "$uuid":
		u, err := cachekey.ParseUUID(val.(string))
		if err != nil {
			t.Fatal(err)
		}
		return u
	case "$set":
		var s cachekey.Set
		for _, e := range val.([]any) {
			s = append(s, fromTaggedJSON(t, e))
		}
		return s
	}
	t.Fatalf("unknown tag %s", tag)
	return nil
}

// integer parses a decimal integer into the narrowest Go type that holds it.
func integer(t *testing.T, s string) any {
	t.Helper()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("integer %q", s)
	}
	return b
}
