//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// helperEnv selects a helper mode when the test binary is re-executed as a child process
// (see process_test.go); helperDirEnv names the cache directory it works in.
const (
	helperEnv    = "CACHEKIT_FILE_TEST_HELPER"
	helperDirEnv = "CACHEKIT_FILE_TEST_DIR"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Getenv(helperDirEnv)))
	}
	goleak.VerifyTestMain(m)
}

// newTestBackend opens a backend on dir (a fresh temporary directory when empty).
func newTestBackend(t testing.TB, opts Options) *Backend {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// listDir returns the names in dir.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(des))
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}
