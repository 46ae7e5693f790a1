//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
)

// conformanceMaxValue keeps the suite's largest value small enough to write quickly.
const conformanceMaxValue = 1 << 20

// TestConformance runs the shared backend suite. Every backend it gets opens the same
// directory, as separate processes would, so the suite also checks that writes through
// one are read through another (SharedStore).
func TestConformance(t *testing.T) {
	dir := t.TempDir()
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return newTestBackend(t, Options{Dir: dir, MaxValueSize: conformanceMaxValue})
	}, backendtest.Options{
		MaxValueSize: conformanceMaxValue,
		SharedStore:  true,
	})
}
