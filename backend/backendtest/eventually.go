package backendtest

import (
	"testing"
	"time"
)

// pollInterval is how often Eventually evaluates its condition.
const pollInterval = 25 * time.Millisecond

// Eventually calls cond every few milliseconds until it reports true, and fails the
// test with what in the message when timeout passes first, when cond returns an error,
// or when the test's context ends. It replaces fixed sleeps when waiting for something
// a backend does in its own time: an entry expiring, a notification arriving.
//
// Eventually calls tb.Fatalf, so it must run on the test's goroutine.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			tb.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s; it did not happen", timeout, what)
		}
		select {
		case <-tb.Context().Done():
			tb.Fatalf("the test ended while waiting for %s", what)
		case <-tick.C:
		}
	}
}
