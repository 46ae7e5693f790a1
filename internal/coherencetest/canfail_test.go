package coherencetest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// failureRecorder stands in for *testing.T in a round that is expected to fail: Fatalf
// records the message and ends the round's goroutine, as testing.T does.
type failureRecorder struct {
	t      *testing.T
	failed string
}

func (r *failureRecorder) Helper() {}

func (r *failureRecorder) Logf(format string, args ...any) { r.t.Logf(format, args...) }

func (r *failureRecorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// expectFailure runs round on its own goroutine and returns the failure it reported,
// or "" if it passed.
func expectFailure(t *testing.T, round func(tb)) string {
	t.Helper()
	rec := &failureRecorder{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		round(rec)
	}()
	<-done
	return rec.failed
}

// TestCoherenceCanFail shows that the rounds catch the bugs they exist for: a reader
// started with a fault (faults_test.go) fails the round aimed at it, with the expected
// diagnosis. Without the fault the same rounds pass (TestCoherenceTracking).
func TestCoherenceCanFail(t *testing.T) {
	if testserver.SkipIntegration() {
		t.Skip("CACHEKIT_SKIP_INTEGRATION=1")
	}
	srv := startRedis(t)
	gw := newGoWriter(t, []string{srv.Addr}, "tracking")
	tests := []struct {
		fault string
		round func(t tb, rd *readerProc)
		want  string // in the failure message
	}{
		{
			fault: faultStripOrigin,
			round: func(t tb, rd *readerProc) { ownWriteRound(t, rd, gw) },
			want:  "own",
		},
		{
			// The poll variant cannot see this fault: the reader does read v2 in the end.
			fault: faultLateKeys,
			round: func(t tb, rd *readerProc) { markerRound(t, rd, gw, setBy(gw, "v2")) },
			want:  "stale read past the invalidation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			rd := startReader(t, tt.fault, readerConfig{Addrs: []string{srv.Addr}, Mode: "tracking", Fault: tt.fault})
			failure := expectFailure(t, func(t tb) { tt.round(t, rd) })
			switch {
			case failure == "":
				t.Fatalf("the round passed against a reader with fault %s", tt.fault)
			case !strings.Contains(failure, tt.want):
				t.Fatalf("the round failed for another reason than expected (%q): %s", tt.want, failure)
			}
			t.Logf("caught: %s", failure)
		})
	}
}
