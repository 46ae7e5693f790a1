package cachekitio

import (
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
	"github.com/cachekit-io/cachekit-go/devserver"
	"github.com/cachekit-io/cachekit-go/internal/backoff"
)

// conformanceMaxValue keeps the suite's large-value checks light; the server answers
// 413 above it, which the suite expects as backend.ErrValueTooLarge.
const conformanceMaxValue = 1 << 20

// TestConformance runs the backendtest suite against the development server over plain
// http on loopback. The server stamps exact times (devserver.Options.ExactTimes): with
// the hosted service's whole-second stamping a one-second entry may expire almost at
// once, which the suite's "readable right after Set" rule does not allow for.
func TestConformance(t *testing.T) {
	_, ts := newDevServer(t, devserver.Options{LenientKeys: true, ExactTimes: true, MaxValueSize: conformanceMaxValue})
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		b, _ := newTestClient(t, ts.URL, nil)
		b.wait = backoff.Wait
		return b
	}, backendtest.Options{
		MaxValueSize:  conformanceMaxValue,
		TTLResolution: time.Second,
		SharedStore:   true,
		LocksAreKeys:  false,
	})
}
