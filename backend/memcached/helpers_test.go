package memcached_test

import (
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// startServers starts n memcached servers for the test.
func startServers(t testing.TB, n int, opts testserver.MemcachedOptions) []*testserver.Memcached {
	t.Helper()
	out := make([]*testserver.Memcached, n)
	for i := range out {
		out[i] = testserver.StartMemcached(t, opts)
	}
	return out
}

func addrsOf(servers []*testserver.Memcached) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.Addr
	}
	return out
}

// testTimeout replaces the default Timeout in tests that are not about timeouts: the
// machine running them may be heavily loaded.
const testTimeout = 5 * time.Second

// newBackend returns a backend over servers (opts.Servers is filled in, and a zero
// Timeout becomes testTimeout), closed when the test ends.
func newBackend(t testing.TB, opts memcached.Options, servers ...*testserver.Memcached) *memcached.Backend {
	t.Helper()
	if len(opts.Servers) == 0 {
		opts.Servers = addrsOf(servers)
	}
	if opts.Timeout == 0 {
		opts.Timeout = testTimeout
	}
	b, err := memcached.New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

var keySeq atomic.Int64

// uniqueKey returns a key no other test uses.
func uniqueKey(prefix string) string {
	return prefix + ":" + strconv.FormatInt(keySeq.Add(1), 10)
}

// wantKind fails the test unless err is a *backend.Error of kind want.
func wantKind(t testing.TB, what string, err error, want backend.ErrorKind) {
	t.Helper()
	var be *backend.Error
	if !errors.As(err, &be) {
		t.Fatalf("%s: error = %v (%T), want a *backend.Error of kind %v", what, err, err, want)
	}
	if be.Kind != want {
		t.Fatalf("%s: kind = %v (%v), want %v", what, be.Kind, err, want)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// blackhole returns the address of a listener that accepts connections and never
// answers, closed with the test.
func blackhole(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range conns {
					_ = c.Close()
				}
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
	})
	return l.Addr().String()
}
