package backendtest

import (
	"testing"
)

// checkGetAfterSet: a stored value is read back unchanged.
func checkGetAfterSet(tb testing.TB, e env) {
	key := UniqueKey(tb)
	want := []byte("hello, backend")
	mustSet(tb, e.b, key, want, defaultTTL)
	wantValue(tb, e.b, key, want)
}

// checkOverwrite: Set replaces the previous value, including by a shorter one.
func checkOverwrite(tb testing.TB, e env) {
	key := UniqueKey(tb)
	for _, v := range []string{"first value", "second, longer value", "3"} {
		mustSet(tb, e.b, key, []byte(v), defaultTTL)
		wantValue(tb, e.b, key, []byte(v))
	}
}

// checkMissIsNotAnError: Get and Exists of a key never written answer a miss, not an
// error.
func checkMissIsNotAnError(tb testing.TB, e env) {
	key := UniqueKey(tb)
	v, found, err := e.b.Get(ctxOf(tb), key)
	if err != nil {
		tb.Fatalf("Get(absent %q) error = %v, want nil: a miss is not an error", key, err)
	}
	if found || len(v) != 0 {
		tb.Fatalf("Get(absent %q) = (%s, %v), want (empty, false)", key, describe(v), found)
	}
	ok, err := e.b.Exists(ctxOf(tb), key)
	if err != nil || ok {
		tb.Fatalf("Exists(absent %q) = (%v, %v), want (false, nil)", key, ok, err)
	}
}

// checkGetReturnsACopy: the slice Get returns belongs to the caller; writing to it
// changes nothing stored.
func checkGetReturnsACopy(tb testing.TB, e env) {
	key := UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("original"), defaultTTL)
	got, found := mustGet(tb, e.b, key)
	if !found {
		tb.Fatalf("Get(%q) = miss right after Set", key)
	}
	for i := range got {
		got[i] = 'X'
	}
	wantValue(tb, e.b, key, []byte("original"))
}

// checkSetDoesNotRetainValue: the caller may reuse the slice passed to Set as soon as
// Set returns.
func checkSetDoesNotRetainValue(tb testing.TB, e env) {
	key := UniqueKey(tb)
	buf := []byte("original")
	mustSet(tb, e.b, key, buf, defaultTTL)
	copy(buf, "XXXXXXXX")
	wantValue(tb, e.b, key, []byte("original"))
}

// checkDeleteAbsent: deleting a key that was never written succeeds and reports
// deleted == false, every time.
func checkDeleteAbsent(tb testing.TB, e env) {
	key := UniqueKey(tb)
	for i := range 2 {
		deleted, err := e.b.Delete(ctxOf(tb), key)
		if err != nil || deleted {
			tb.Fatalf("Delete(absent %q) #%d = (%v, %v), want (false, nil)", key, i+1, deleted, err)
		}
	}
}

// checkDeleteThenGet: Delete removes exactly the entry named, reports it once, and the
// key reads as a miss afterwards.
func checkDeleteThenGet(tb testing.TB, e env) {
	key, sibling := UniqueKey(tb), UniqueKey(tb)
	mustSet(tb, e.b, key, []byte("doomed"), defaultTTL)
	mustSet(tb, e.b, sibling, []byte("kept"), defaultTTL)
	if !mustDelete(tb, e.b, key) {
		tb.Fatalf("Delete(%q) of a stored key = false, want true", key)
	}
	wantMiss(tb, e.b, key)
	if mustDelete(tb, e.b, key) {
		tb.Fatalf("second Delete(%q) = true, want false", key)
	}
	wantValue(tb, e.b, sibling, []byte("kept"))
}

// checkExists: Exists follows Set and Delete, and one key's entry says nothing about
// another's.
func checkExists(tb testing.TB, e env) {
	key := UniqueKey(tb)
	other := key + ":other"
	if mustExist(tb, e.b, key) {
		tb.Fatalf("Exists(%q) = true before any Set", key)
	}
	mustSet(tb, e.b, key, []byte("v"), defaultTTL)
	if !mustExist(tb, e.b, key) {
		tb.Fatalf("Exists(%q) = false after Set", key)
	}
	if mustExist(tb, e.b, other) {
		tb.Fatalf("Exists(%q) = true, but only %q was written", other, key)
	}
	mustDelete(tb, e.b, key)
	if mustExist(tb, e.b, key) {
		tb.Fatalf("Exists(%q) = true after Delete", key)
	}
}
