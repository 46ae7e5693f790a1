//go:build unix

package bench

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the servers the run started, then checks that no goroutine of a client
// outlived its Close.
func TestMain(m *testing.M) {
	code := m.Run()
	redisServer.stop()
	memcachedServer.stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("bench: goroutines leaked: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
