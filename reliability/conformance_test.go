package reliability

import (
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// suiteOptions states the facts of the wrapped memory backend; the middleware must not
// change any of them.
var suiteOptions = backendtest.Options{
	MaxValueSize:   memory.DefaultMaxValueSize,
	TTLResolution:  time.Millisecond,
	LocksAreKeys:   true,
	ReportsOrigins: true,
}

func newMemory(t *testing.T) *memory.Backend {
	t.Helper()
	inner, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatalf("memory.New: %v", err)
	}
	t.Cleanup(func() {
		if err := inner.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return inner
}

// TestConformance runs the backend conformance suite over the full stack with its
// defaults: over a fresh memory backend per check, and over one memory backend shared
// by many wrappers (a fresh wrapper per call, as separate processes would have). The
// middleware must keep every rule of the contract, and every capability, of the
// backend it wraps.
func TestConformance(t *testing.T) {
	t.Run("fresh", func(t *testing.T) {
		t.Parallel()
		backendtest.Run(t, func(t *testing.T) backend.Backend {
			return mustNew(t, newMemory(t), Options{})
		}, suiteOptions)
	})
	t.Run("shared", func(t *testing.T) {
		t.Parallel()
		shared := newMemory(t)
		opts := suiteOptions
		opts.SharedStore = true
		backendtest.Run(t, func(t *testing.T) backend.Backend {
			return mustNew(t, shared, Options{})
		}, opts)
	})
}
