package redis

import (
	"context"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: rueidis' connection goroutines
// end with Close, and subscriptions end with stop. Two rueidis goroutines really outlive
// Close, by design of the cluster client (rueidis v1.0.79), and end by themselves within
// seconds; they hold nothing of ours, so they alone are ignored:
//   - after a topology refresh drops connections, clusterClient._refresh closes them
//     from a goroutine that first sleeps 5 s;
//   - after an error, clusterClient.lazyRefresh schedules a refresh with
//     call.DelayDo, a goroutine that sleeps up to about a second first (this also
//     happens when New probes a single address for cluster mode and fails).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}

// testCtx returns a context that ends with the test or after 30 s.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newBackend connects with opts and closes the backend when the test ends.
func newBackend(t testing.TB, opts Options) *Backend {
	t.Helper()
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New(%v): %v", opts, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// standalone starts a redis-server and a backend on it.
func standalone(t testing.TB, opts Options) (*testserver.Redis, *Backend) {
	t.Helper()
	srv := testserver.StartRedis(t, testserver.RedisOptions{})
	opts.Addrs = []string{srv.Addr}
	return srv, newBackend(t, opts)
}
