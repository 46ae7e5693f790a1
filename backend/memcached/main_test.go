package memcached_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// exampleServer is the address of a memcached started by TestMain for the Example
// functions, which cannot start their own.
var exampleServer string

func TestMain(m *testing.M) {
	d, err := testserver.LaunchMemcached(testserver.MemcachedOptions{})
	if errors.Is(err, testserver.ErrMemcachedMissing) && testserver.SkipIntegration() {
		fmt.Println("memcached: skipping the package's tests (CACHEKIT_SKIP_INTEGRATION=1):", err)
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exampleServer = d.Addr
	code := m.Run()
	d.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
