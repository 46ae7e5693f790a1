package backendtest

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
)

// checkEmptyValue: an empty value is a value: stored, found, and read back empty.
func checkEmptyValue(tb testing.TB, e env) {
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte{}, defaultTTL)
	got, found := mustGet(tb, e.b, key)
	if !found {
		tb.Fatalf("Get(%q) of an empty value = miss, want a hit", key)
	}
	if len(got) != 0 {
		tb.Fatalf("Get(%q) of an empty value = %s, want empty", key, describe(got))
	}
	if !mustExist(tb, e.b, key) {
		tb.Fatalf("Exists(%q) of an empty value = false, want true", key)
	}
}

// checkAllByteValues: values are opaque bytes; every byte value survives, in both
// orders, including NUL, CR, LF and bytes that are not valid UTF-8.
func checkAllByteValues(tb testing.TB, e env) {
	key := UniqueKey(tb)
	want := make([]byte, 512)
	for i := range 256 {
		want[i] = byte(i)
		want[511-i] = byte(i)
	}
	mustSet(tb, e.b, key, want, defaultTTL)
	wantValue(tb, e.b, key, want)
}

// checkLargeValue: a value of the backend's largest accepted size (or
// DefaultLargeValueSize) is stored and read back intact. The bytes are pseudo-random so
// that a backend cannot pass by compressing or by truncating a repeated pattern.
func checkLargeValue(tb testing.TB, e env) {
	key := UniqueKey(tb)
	want := randomBytes(e.opts.largeValueSize(), 1)
	mustSet(tb, e.b, key, want, defaultTTL)
	wantValue(tb, e.b, key, want)
}

// checkTooLargeValue: a value one byte over MaxValueSize is refused with
// ErrValueTooLarge, as a failure that retrying cannot fix, and what was stored before
// survives.
func checkTooLargeValue(tb testing.TB, e env) {
	if e.opts.MaxValueSize <= 0 {
		tb.Skip("Options.MaxValueSize is 0: the backend documents no limit to check")
	}
	key, fresh := UniqueKey(tb), UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("kept"), defaultTTL)
	tooLarge := randomBytes(e.opts.MaxValueSize+1, 2)
	for _, k := range []string{key, fresh} {
		err := e.b.Set(ctxOf(tb), k, tooLarge, defaultTTL)
		if !errors.Is(err, backend.ErrValueTooLarge) {
			tb.Errorf("Set(%q, %d bytes) error = %v, want one wrapping backend.ErrValueTooLarge", k, len(tooLarge), err)
		} else if backend.IsRetryable(err) {
			tb.Errorf("Set(%q, %d bytes) error = %v is retryable, want a permanent failure", k, len(tooLarge), err)
		}
	}
	wantValue(tb, e.b, key, []byte("kept"))
	wantMiss(tb, e.b, fresh)
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed byte) []byte {
	var s [32]byte
	s[0] = seed
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(s).Read(b)
	return b
}
