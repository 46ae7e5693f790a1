package memcached_test

import (
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/backendtest"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// TestConformance runs the shared backend suite against two memcached servers, every
// check with its own Backend over the same servers.
func TestConformance(t *testing.T) {
	servers := startServers(t, 2, testserver.MemcachedOptions{})
	opts := memcached.Options{Servers: addrsOf(servers)}
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return newBackend(t, opts)
	}, backendtest.Options{
		MaxValueSize:  memcached.DefaultMaxItemSize - memcached.ItemOverhead,
		TTLResolution: 0, // one second, memcached's clock
		SharedStore:   true,
		LocksAreKeys:  true,
	})
}
