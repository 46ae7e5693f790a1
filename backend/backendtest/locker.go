package backendtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

func mustAcquire(tb testing.TB, l backend.Locker, key string, timeout time.Duration) (string, bool) {
	tb.Helper()
	id, ok, err := l.AcquireLock(ctxOf(tb), key, timeout)
	if err != nil {
		tb.Fatalf("AcquireLock(%q, %v): %v", key, timeout, err)
	}
	if ok && id == "" {
		tb.Fatalf("AcquireLock(%q, %v) acquired the lock with an empty id", key, timeout)
	}
	return id, ok
}

func mustRelease(tb testing.TB, l backend.Locker, key, id string) bool {
	tb.Helper()
	ok, err := l.ReleaseLock(ctxOf(tb), key, id)
	if err != nil {
		tb.Fatalf("ReleaseLock(%q, %q): %v", key, id, err)
	}
	return ok
}

// wantHeld fails the check unless another AcquireLock of key is refused.
func wantHeld(tb testing.TB, l backend.Locker, key, why string) {
	tb.Helper()
	if id, ok := mustAcquire(tb, l, key, defaultTTL); ok {
		tb.Fatalf("AcquireLock(%q) succeeded with id %q %s; the lock should still be held", key, id, why)
	}
}

// checkLockAcquireRelease: one holder at a time; only the holder's id releases; a
// released lock can be taken again under a new id.
func checkLockAcquireRelease(tb testing.TB, e env) {
	l := e.b.(backend.Locker)
	key := UniqueKey(tb)
	if mustRelease(tb, l, key, "never-issued") {
		tb.Fatalf("ReleaseLock(%q) of a lock never taken = true, want false", key)
	}
	first, ok := mustAcquire(tb, l, key, defaultTTL)
	if !ok {
		tb.Fatalf("AcquireLock(%q) of a free lock = not acquired", key)
	}
	wantHeld(tb, l, key, "right after it was taken")
	if mustRelease(tb, l, key, first+"-not") {
		tb.Fatalf("ReleaseLock(%q) with a wrong id = true, want false", key)
	}
	wantHeld(tb, l, key, "after a release with a wrong id")
	if !mustRelease(tb, l, key, first) {
		tb.Fatalf("ReleaseLock(%q) by its holder = false, want true", key)
	}
	if mustRelease(tb, l, key, first) {
		tb.Fatalf("second ReleaseLock(%q) by the same id = true, want false", key)
	}
	second, ok := mustAcquire(tb, l, key, defaultTTL)
	if !ok {
		tb.Fatalf("AcquireLock(%q) after release = not acquired", key)
	}
	if second == first {
		tb.Fatalf("AcquireLock(%q) issued id %q twice; a stale holder could release the new holder's lock", key, first)
	}
	if !mustRelease(tb, l, key, second) {
		tb.Fatalf("ReleaseLock(%q) by the second holder = false, want true", key)
	}
}

// checkLockExpires: a lock not released frees itself after its timeout, and its former
// holder then cannot release the next holder's lock.
func checkLockExpires(tb testing.TB, e env) {
	l := e.b.(backend.Locker)
	key := UniqueKey(tb)
	const timeout = time.Second
	taken := time.Now()
	stale, ok := mustAcquire(tb, l, key, timeout)
	if !ok {
		tb.Fatalf("AcquireLock(%q) of a free lock = not acquired", key)
	}
	var next string
	wait := e.opts.expiryDeadline(timeout) - time.Since(taken)
	Eventually(tb, wait, fmt.Sprintf("the %v lock on %q to expire", timeout, key), func() (bool, error) {
		id, ok, err := l.AcquireLock(ctxOf(tb), key, defaultTTL)
		next = id
		return ok, err
	})
	if mustRelease(tb, l, key, stale) {
		tb.Fatalf("ReleaseLock(%q) by the expired holder = true, want false", key)
	}
	wantHeld(tb, l, key, "after the expired holder tried to release it")
	if !mustRelease(tb, l, key, next) {
		tb.Fatalf("ReleaseLock(%q) by the current holder = false, want true", key)
	}
}

// checkLockKeyVisibility: the lock is stored under LockKey(key) as an ordinary entry
// exactly when Options.LocksAreKeys says so; either way it neither creates key nor
// stops key from being read and written.
func checkLockKeyVisibility(tb testing.TB, e env) {
	l := e.b.(backend.Locker)
	key := UniqueKey(tb)
	lockKey := backend.LockKey(key)
	id, ok := mustAcquire(tb, l, key, defaultTTL)
	if !ok {
		tb.Fatalf("AcquireLock(%q) of a free lock = not acquired", key)
	}
	if e.opts.LocksAreKeys {
		if _, found := mustGet(tb, e.b, lockKey); !found {
			tb.Errorf("Get(%q) while the lock is held = miss; Options.LocksAreKeys says the lock is an ordinary entry", lockKey)
		}
		if !mustExist(tb, e.b, lockKey) {
			tb.Errorf("Exists(%q) while the lock is held = false; Options.LocksAreKeys says the lock is an ordinary entry", lockKey)
		}
	} else {
		if mustExist(tb, e.b, lockKey) {
			tb.Errorf("Exists(%q) while the lock is held = true; set Options.LocksAreKeys if locks are ordinary entries", lockKey)
		}
	}
	wantMiss(tb, e.b, key)
	mustSet(tb, e.b, key, []byte("written under the lock"), defaultTTL)
	wantValue(tb, e.b, key, []byte("written under the lock"))
	if !mustDelete(tb, e.b, key) {
		tb.Fatalf("Delete(%q) while locked = false, want true", key)
	}
	wantHeld(tb, l, key, "after the locked key was written and deleted")
	if !mustRelease(tb, l, key, id) {
		tb.Fatalf("ReleaseLock(%q) by its holder = false, want true", key)
	}
	wantMiss(tb, e.b, lockKey)
}

// checkLockIndependentKeys: locks on different keys do not contend, and one lock's id
// does not release another.
func checkLockIndependentKeys(tb testing.TB, e env) {
	l := e.b.(backend.Locker)
	a, b := UniqueKey(tb), UniqueKey(tb)
	idA, okA := mustAcquire(tb, l, a, defaultTTL)
	idB, okB := mustAcquire(tb, l, b, defaultTTL)
	if !okA || !okB {
		tb.Fatalf("AcquireLock of two free keys = (%v, %v), want both acquired", okA, okB)
	}
	if idA == idB {
		tb.Fatalf("two locks were issued the same id %q", idA)
	}
	if mustRelease(tb, l, a, idB) {
		tb.Fatalf("ReleaseLock(%q) with the id of the lock on %q = true, want false", a, b)
	}
	wantHeld(tb, l, a, "after a release with another lock's id")
	if !mustRelease(tb, l, a, idA) || !mustRelease(tb, l, b, idB) {
		tb.Fatalf("ReleaseLock by each holder = false, want true")
	}
}
