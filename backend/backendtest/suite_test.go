package backendtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/cachekit-io/cachekit-go/backend"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// refMaxValueSize is the limit the reference backends enforce in these tests.
const refMaxValueSize = 64 << 10

// refOptions states the reference backend's facts.
var refOptions = Options{MaxValueSize: refMaxValueSize, LocksAreKeys: true, ReportsOrigins: true}

// TestRunReference runs the whole suite against a correct backend, once with a fresh
// store per subtest and once with one store shared by all: a check that fails here is
// a bug in the suite, not in a backend.
func TestRunReference(t *testing.T) {
	t.Parallel()
	t.Run("fresh", func(t *testing.T) {
		t.Parallel()
		Run(t, func(*testing.T) backend.Backend { return newReference(faultNone, refMaxValueSize) }, refOptions)
	})
	t.Run("shared", func(t *testing.T) {
		t.Parallel()
		shared := newReference(faultNone, refMaxValueSize)
		opts := refOptions
		opts.SharedStore = true
		Run(t, func(*testing.T) backend.Backend { return shared }, opts)
	})
}

// TestChecksCatchBrokenBackends shows that each check can fail: it runs the check once
// against the correct reference backend, which must pass, and once against a reference
// that breaks exactly the rule the check is about, which must fail.
func TestChecksCatchBrokenBackends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault fault
		check string
	}{
		{"ttl<=0 stored forever", faultStoresInvalidTTL, "TTL/InvalidTTLRejected"},
		{"ttl<=0 overwrites then fails", faultInvalidTTLOverwrite, "TTL/InvalidTTLKeepsExisting"},
		{"sub-second ttl truncated", faultTruncatesSubSecond, "TTL/SubSecondRoundsUp"},
		{"entries never expire", faultNeverExpires, "TTL/Expiry"},
		{"miss is an error", faultMissIsError, "Basic/MissIsNotAnError"},
		{"Set retains the caller slice", faultRetainsValue, "Basic/SetDoesNotRetainValue"},
		{"Get aliases the stored slice", faultAliasesValue, "Basic/GetReturnsACopy"},
		{"Delete of absent reports true", faultDeleteAbsentTrue, "Basic/DeleteAbsent"},
		{"Delete of absent reports true", faultDeleteAbsentTrue, "Basic/DeleteThenGet"},
		{"done context ignored", faultIgnoresContext, "Context/Canceled"},
		{"done context ignored", faultIgnoresContext, "Context/DeadlineExceeded"},
		{"no size limit", faultNoSizeLimit, "Values/TooLarge"},
		{"oversized Set loses the old value", faultOversizeLosesValue, "Values/TooLarge"},
		{"reports unhealthy", faultUnhealthy, "Health/Healthy"},
		{"RefreshTTL creates absent keys", faultRefreshCreates, "TTLInspector/RefreshAbsent"},
		{"release ignores the lock id", faultReleaseIgnoresID, "Locker/AcquireRelease"},
		{"release ignores the lock id", faultReleaseIgnoresID, "Locker/IndependentKeys"},
		{"locks never expire", faultLockNeverExpires, "Locker/Expires"},
		{"lock ids reused", faultReusesLockID, "Locker/AcquireRelease"},
		{"stop does not stop", faultStopIgnored, "Invalidator/StopEndsCalls"},
		{"prefix ignored", faultIgnoresPrefix, "Invalidator/PrefixFilter"},
		{"origin dropped", faultDropsOrigin, "Invalidator/SeesSetAndDelete"},
		{"Disconnected on key notifications", faultDisconnectedKeys, "Invalidator/SeesSetAndDelete"},
		{"GetMany lists misses", faultGetManyMisses, "BatchGetter/HitsAndMisses"},
		{"GetMany lists misses", faultGetManyMisses, "BatchGetter/DuplicateKeys"},
		{"huge ttl wraps negative", faultHugeTTLOverflows, "TTL/HugeTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.check+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c := findCheck(t, tt.check)
			if rec := runCheck(t, c, newReference(faultNone, refMaxValueSize), refOptions); rec.Failed() {
				t.Fatalf("%s failed against the correct reference backend:\n%s", tt.check, rec.report())
			}
			rec := runCheck(t, c, newReference(tt.fault, refMaxValueSize), refOptions)
			if !rec.Failed() {
				t.Fatalf("%s passed against a backend whose %s", tt.check, tt.name)
			}
			t.Logf("%s failed as it should:\n%s", tt.check, rec.report())
		})
	}
}

// TestOptionFactsAreChecked shows that the facts in Options are checked both ways: a
// backend that does not behave as its Options say fails.
func TestOptionFactsAreChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check string
		opts  Options
		newB  func() backend.Backend
	}{
		{"locks said not to be keys", "Locker/LockKeyVisibility",
			Options{LocksAreKeys: false}, func() backend.Backend { return newReference(faultNone, 0) }},
		{"store said to be shared", "SharedStore/WritesVisibleAcrossBackends",
			Options{SharedStore: true}, func() backend.Backend { return newReference(faultNone, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := findCheck(t, tt.check)
			rec := &recordingTB{TB: t}
			runOn(rec, c, env{b: tt.newB(), opts: tt.opts, another: tt.newB})
			if !rec.Failed() {
				t.Fatalf("%s passed with wrong Options %+v", tt.check, tt.opts)
			}
			t.Logf("%s failed as it should:\n%s", tt.check, rec.report())
		})
	}
}

// TestRunSkipsMissingCapabilities runs the suite against a backend with no optional
// capability: its capability checks must be skipped, and everything else must pass.
func TestRunSkipsMissingCapabilities(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) backend.Backend {
		return plainBackend{newReference(faultNone, 0)}
	}, Options{})
}

// plainBackend hides the reference backend's optional capabilities.
type plainBackend struct{ backend.Backend }

func findCheck(t *testing.T, name string) check {
	t.Helper()
	for _, c := range checks {
		if c.group+"/"+c.name == name {
			return c
		}
	}
	t.Fatalf("no check named %q", name)
	return check{}
}

// runCheck runs c against b with a recording TB and returns the record.
func runCheck(t *testing.T, c check, b backend.Backend, opts Options) *recordingTB {
	rec := &recordingTB{TB: t}
	runOn(rec, c, env{b: b, opts: opts, another: func() backend.Backend { return b }})
	return rec
}

// runOn runs c on its own goroutine, as testing does, so that FailNow can end it.
func runOn(rec *recordingTB, c check, e env) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.run(rec, e)
	}()
	<-done
}

// recordingTB is a testing.TB that records failures instead of reporting them, so a
// test can assert that a check fails. FailNow and SkipNow end the calling goroutine,
// as they do in package testing. Everything else (Name, Context, Cleanup, TempDir)
// goes to the real test.
type recordingTB struct {
	testing.TB

	mu      sync.Mutex
	failed  bool
	skipped bool
	log     []string
}

func (r *recordingTB) add(failed bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = r.failed || failed
	r.log = append(r.log, msg)
}

func (r *recordingTB) Helper()                 { /* line attribution does not matter here */ }
func (r *recordingTB) Log(a ...any)            { r.add(false, fmt.Sprint(a...)) }
func (r *recordingTB) Logf(f string, a ...any) { r.add(false, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Error(a ...any)          { r.add(true, fmt.Sprint(a...)) }
func (r *recordingTB) Errorf(f string, a ...any) {
	r.add(true, fmt.Sprintf(f, a...))
}
func (r *recordingTB) Fail() { r.add(true, "Fail") }
func (r *recordingTB) FailNow() {
	r.add(true, "FailNow")
	runtime.Goexit()
}
func (r *recordingTB) Fatal(a ...any) {
	r.add(true, fmt.Sprint(a...))
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(f string, a ...any) {
	r.add(true, fmt.Sprintf(f, a...))
	runtime.Goexit()
}
func (r *recordingTB) Skip(a ...any) {
	r.skip(fmt.Sprint(a...))
}
func (r *recordingTB) Skipf(f string, a ...any) { r.skip(fmt.Sprintf(f, a...)) }
func (r *recordingTB) SkipNow()                 { r.skip("SkipNow") }
func (r *recordingTB) skip(msg string) {
	r.mu.Lock()
	r.skipped = true
	r.log = append(r.log, "skipped: "+msg)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recordingTB) Skipped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skipped
}

func (r *recordingTB) report() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return "\t" + strings.Join(r.log, "\n\t")
}
