package cachekit

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

type (
	memoUserID int64
	memoLabel  string
	memoRatio  float32
)

// keyTestMemoizer returns a memoizer and the key it must give each argument list:
// the interop/v1 key computed afresh, without the client's namespace prefix.
func keyTestMemoizer(t *testing.T) (*memoizer[int], func(args []any) string) {
	t.Helper()
	c := newClient(t, Options{Namespace: "app"})
	m, err := newMemoizer[int](c, "lookup", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := func(args []any) string {
		full, err := cachekey.Interop("app", "lookup", args...)
		if err != nil {
			t.Fatalf("Interop(%v): %v", args, err)
		}
		return strings.TrimPrefix(full, "app:")
	}
	return m, want
}

// rememberableArg returns a random argument of a kind the memoizer remembers, drawn
// from small ranges so that lists repeat, with values that compare unequal but share
// a key (2, int64(2), 2.0, memoUserID(2)), ones that compare equal (0.0 and -0.0), and
// nil, which a shorter list holds in its unused places.
func rememberableArg(r *rand.Rand) any {
	n := r.IntN(6)
	switch r.IntN(13) {
	case 0:
		return n
	case 11:
		return nil // [nil] is not []
	case 1:
		return int64(n)
	case 2:
		return uint64(n)
	case 3:
		return float64(n)
	case 4:
		return math.Copysign(float64(n), -1) // -0.0 at n == 0
	case 5:
		return memoUserID(n)
	case 6:
		return memoRatio(n) + 0.5
	case 7:
		return []string{"", "a", "é", "a-b"}[n%4]
	case 8:
		return memoLabel([]string{"", "a", "é", "a-b"}[n%4])
	case 9:
		return n%2 == 0
	case 10:
		return cachekey.UUID{byte(n)}
	default:
		return time.Unix(int64(n), int64(n)*1000).In(time.FixedZone("", 3600*(n%2)))
	}
}

// TestRememberedKeysMatchInterop: whatever the table holds, every key equals the one
// computed afresh. Thousands of random lists over 256 slots make lists share slots,
// and the same lists come back in another order; lists that compare equal must be
// found, lists that only share a slot or a key must not be confused.
func TestRememberedKeysMatchInterop(t *testing.T) {
	m, want := keyTestMemoizer(t)
	r := rand.New(rand.NewPCG(8, 2026))
	lists := make([][]any, 4*recentKeySlots)
	for i := range lists {
		lists[i] = make([]any, r.IntN(maxRememberedArgs+1))
		for j := range lists[i] {
			lists[i][j] = rememberableArg(r)
		}
	}
	hits := 0
	for round := range 3 {
		r.Shuffle(len(lists), func(i, j int) { lists[i], lists[j] = lists[j], lists[i] })
		for _, args := range lists {
			if found, _ := m.recent.find(args); found != "" {
				hits++
			}
			got, err := m.key(args)
			if err != nil {
				t.Fatalf("round %d, %v: %v", round, args, err)
			}
			if w := want(args); got != w {
				t.Fatalf("round %d, %#v: key %s, want %s", round, args, got, w)
			}
			if found, _ := m.recent.find(args); found != got {
				t.Fatalf("round %d, %#v: not remembered right after keying (%q)", round, args, found)
			}
		}
	}
	if hits == 0 {
		t.Fatal("no list was ever found in the table")
	}
}

// TestRememberedKeyOfAnEqualList: lists that compare equal share the entry (-0.0 and
// 0.0 are ==, and both are the integer 0 in a key); lists that only share a slot miss.
func TestRememberedKeyOfAnEqualList(t *testing.T) {
	m, want := keyTestMemoizer(t)
	if _, err := m.key([]any{0.0, "x"}); err != nil {
		t.Fatal(err)
	}
	negZero := []any{math.Copysign(0, -1), "x"}
	if found, _ := m.recent.find(negZero); found != want(negZero) {
		t.Fatalf("-0.0 found %q, want the key of 0.0: %q", found, want(negZero))
	}

	// Two unequal lists in one slot: the second misses, then takes the slot over.
	first := []any{1}
	_, slot := m.recent.find(first)
	var second []any
	for i := 2; second == nil; i++ {
		if _, s := m.recent.find([]any{i}); s == slot {
			second = []any{i}
		}
	}
	if _, err := m.key(first); err != nil {
		t.Fatal(err)
	}
	if found, s := m.recent.find(second); found != "" || s != slot {
		t.Fatalf("%v found %q in the slot of %v", second, found, first)
	}
	if got, err := m.key(second); err != nil || got != want(second) {
		t.Fatalf("key %q, %v; want %q", got, err, want(second))
	}
	if found, _ := m.recent.find(first); found != "" {
		t.Fatalf("%v still found after %v took its slot", first, second)
	}

	// [i] and [i, nil] in one slot: the unused places of the shorter list are nil too,
	// so only the length tells them apart.
	for i := 0; ; i++ {
		short, long := []any{i}, []any{i, nil}
		if _, s1 := m.recent.find(short); s1 != nil {
			if _, s2 := m.recent.find(long); s1 == s2 {
				if _, err := m.key(short); err != nil {
					t.Fatal(err)
				}
				if got, err := m.key(long); err != nil || got != want(long) {
					t.Fatalf("%v: key %q, %v; want %q", long, got, err, want(long))
				}
				break
			}
		}
	}
}

// TestArgumentsNotRemembered: lists whose equality does not imply an equal key, or
// that are too big to keep, get no slot, and their keys are still right.
func TestArgumentsNotRemembered(t *testing.T) {
	m, want := keyTestMemoizer(t)
	n := 3
	for _, args := range [][]any{
		{[]byte("raw")},
		{&n},
		{[]any{1}},
		{map[string]any{"a": 1}},
		{cachekey.Set{1, 2}},
		{big.NewInt(5)},
		{[3]byte{1, 2, 3}},
		{strings.Repeat("x", maxRememberedString+1)},
		{memoLabel(strings.Repeat("y", maxRememberedString+1))},
		{1, 2, 3, 4},
		{1, []int{2}},
	} {
		if _, slot := m.recent.find(args); slot != nil {
			t.Errorf("%T: given a slot", args[len(args)-1])
		}
		if got, err := m.key(args); err != nil || got != want(args) {
			t.Errorf("%T: key %q, %v; want %q", args[len(args)-1], got, err, want(args))
		}
	}
	if _, err := m.key([]any{math.NaN()}); err == nil {
		t.Fatal("NaN gave a key")
	}
	if found, _ := m.recent.find([]any{math.NaN()}); found != "" {
		t.Fatal("a failed list was remembered")
	}
}

// TestRememberedKeysConcurrently: goroutines keying overlapping lists, sharing slots,
// always get the right key (run with -race).
func TestRememberedKeysConcurrently(t *testing.T) {
	m, want := keyTestMemoizer(t)
	lists := make([][]any, 2*recentKeySlots)
	wants := make([]string, len(lists))
	for i := range lists {
		lists[i] = []any{i % 300, fmt.Sprint(i % 7)}
		wants[i] = want(lists[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 2000 {
				i := r.IntN(len(lists))
				if got, err := m.key(lists[i]); err != nil || got != wants[i] {
					t.Errorf("%v: key %q, %v; want %q", lists[i], got, err, wants[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
