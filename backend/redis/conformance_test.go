package redis

import (
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// The facts about Redis the conformance suite needs: a shared store, locks stored as
// ordinary "{key}:lock" entries (PROTOCOL.md §6), whole-second TTLs.
func suiteOptions(reportsOrigins bool) backendtest.Options {
	return backendtest.Options{
		SharedStore:  true,
		LocksAreKeys: true,
		// Client tracking cannot carry another process's origin (the server does not
		// know it); the pub/sub path carries it in the message.
		ReportsOrigins: reportsOrigins,
	}
}

func TestConformanceStandalone(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := testserver.StartRedis(t, testserver.RedisOptions{})
			backendtest.Run(t, func(t *testing.T) backend.Backend {
				return newBackend(t, Options{Addrs: []string{srv.Addr}, Invalidation: m.mode, PublishInvalidations: true})
			}, suiteOptions(m.mode == InvalidationPubSub))
		})
	}
}

func TestConformanceCluster(t *testing.T) {
	c := testserver.StartRedisCluster(t, 3)
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return newBackend(t, Options{Addrs: c.Addrs()})
	}, suiteOptions(false))
}
