package backendtest

import (
	"context"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
)

// capability names an optional interface a check needs.
type capability uint8

const (
	capNone capability = iota
	capTTLInspector
	capLocker
	capInvalidator
	capBatchGetter
)

// String returns the interface's name in package backend.
func (c capability) String() string {
	switch c {
	case capTTLInspector:
		return "TTLInspector"
	case capLocker:
		return "Locker"
	case capInvalidator:
		return "Invalidator"
	case capBatchGetter:
		return "BatchGetter"
	}
	return "Backend"
}

// implementedBy reports whether b offers the capability.
func (c capability) implementedBy(b backend.Backend) bool {
	var ok bool
	switch c {
	case capNone:
		ok = true
	case capTTLInspector:
		_, ok = b.(backend.TTLInspector)
	case capLocker:
		_, ok = b.(backend.Locker)
	case capInvalidator:
		_, ok = b.(backend.Invalidator)
	case capBatchGetter:
		_, ok = b.(backend.BatchGetter)
	}
	return ok
}

// env is what a check works with: the backend under test, the facts about it, and a
// way to reach the same store through a second backend.
type env struct {
	b    backend.Backend
	opts Options
	// another returns a second backend. Writes through it are seen by b only when
	// opts.SharedStore is true.
	another func() backend.Backend
}

// writer returns the backend through which a check makes the changes an Invalidator
// subscribed on e.b must see: a second backend when the store is shared, else e.b.
func (e env) writer() backend.Backend {
	if e.opts.SharedStore {
		return e.another()
	}
	return e.b
}

// check is one rule of the contract. Checks take a testing.TB rather than a *testing.T
// so that the suite's own tests can run them with a recording TB and watch them fail
// against a broken backend.
type check struct {
	group string
	name  string
	needs capability
	run   func(tb testing.TB, e env)
}

// checks is the whole suite, in the order subtests are started.
var checks = []check{
	{"Basic", "GetAfterSet", capNone, checkGetAfterSet},
	{"Basic", "Overwrite", capNone, checkOverwrite},
	{"Basic", "MissIsNotAnError", capNone, checkMissIsNotAnError},
	{"Basic", "GetReturnsACopy", capNone, checkGetReturnsACopy},
	{"Basic", "SetDoesNotRetainValue", capNone, checkSetDoesNotRetainValue},
	{"Basic", "DeleteAbsent", capNone, checkDeleteAbsent},
	{"Basic", "DeleteThenGet", capNone, checkDeleteThenGet},
	{"Basic", "Exists", capNone, checkExists},

	{"TTL", "Expiry", capNone, checkExpiry},
	{"TTL", "InvalidTTLRejected", capNone, checkInvalidTTLRejected},
	{"TTL", "InvalidTTLKeepsExisting", capNone, checkInvalidTTLKeepsExisting},
	{"TTL", "SubSecondRoundsUp", capNone, checkSubSecondRoundsUp},
	{"TTL", "LongTTL", capNone, checkLongTTL},
	{"TTL", "HugeTTL", capNone, checkHugeTTL},

	{"Values", "Empty", capNone, checkEmptyValue},
	{"Values", "AllByteValues", capNone, checkAllByteValues},
	{"Values", "Large", capNone, checkLargeValue},
	{"Values", "TooLarge", capNone, checkTooLargeValue},

	{"Concurrency", "Writers", capNone, checkConcurrentWriters},

	{"Context", "Canceled", capNone, checkContextCanceled},
	{"Context", "DeadlineExceeded", capNone, checkContextDeadlineExceeded},

	{"Health", "Healthy", capNone, checkHealth},
	{"SharedStore", "WritesVisibleAcrossBackends", capNone, checkSharedStore},

	{"TTLInspector", "FreshEntry", capTTLInspector, checkTTLFreshEntry},
	{"TTLInspector", "Absent", capTTLInspector, checkTTLAbsent},
	{"TTLInspector", "OverwriteReplacesTTL", capTTLInspector, checkTTLOverwrite},
	{"TTLInspector", "RefreshExtends", capTTLInspector, checkRefreshExtends},
	{"TTLInspector", "RefreshAbsent", capTTLInspector, checkRefreshAbsent},
	{"TTLInspector", "RefreshInvalidTTL", capTTLInspector, checkRefreshInvalidTTL},

	{"Locker", "AcquireRelease", capLocker, checkLockAcquireRelease},
	{"Locker", "Expires", capLocker, checkLockExpires},
	{"Locker", "LockKeyVisibility", capLocker, checkLockKeyVisibility},
	{"Locker", "IndependentKeys", capLocker, checkLockIndependentKeys},

	{"Invalidator", "SeesSetAndDelete", capInvalidator, checkInvalidationSetAndDelete},
	{"Invalidator", "PrefixFilter", capInvalidator, checkInvalidationPrefix},
	{"Invalidator", "StopEndsCalls", capInvalidator, checkInvalidationStop},

	{"BatchGetter", "HitsAndMisses", capBatchGetter, checkGetManyHitsAndMisses},
	{"BatchGetter", "EmptyKeys", capBatchGetter, checkGetManyEmpty},
	{"BatchGetter", "DuplicateKeys", capBatchGetter, checkGetManyDuplicates},
}

// Run checks that the backends made by newBackend keep the backend.Backend contract and
// the contract of every optional capability they implement. Each check runs in its own
// parallel subtest, named "Group/Check", with a backend from newBackend called with
// that subtest's t; newBackend registers any cleanup with t.Cleanup and may return a
// fresh backend or one shared by every call. Checks write only keys made by UniqueKey
// and never assume an empty store. Checks of a capability the backend lacks are skipped
// with a message naming it.
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend, opts Options) {
	t.Helper()
	if newBackend == nil {
		t.Fatal("backendtest.Run: newBackend is nil")
	}
	for i := 0; i < len(checks); {
		group := checks[i].group
		j := i
		for j < len(checks) && checks[j].group == group {
			j++
		}
		inGroup := checks[i:j]
		i = j
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			for _, c := range inGroup {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					b := newBackend(t)
					if b == nil {
						t.Fatal("newBackend returned nil")
					}
					if !c.needs.implementedBy(b) {
						t.Skipf("%T does not implement backend.%v", b, c.needs)
					}
					c.run(t, env{b: b, opts: opts, another: func() backend.Backend { return newBackend(t) }})
				})
			}
		})
	}
}

// ctxOf returns the context checks use for calls that should succeed.
func ctxOf(tb testing.TB) context.Context { return tb.Context() }
