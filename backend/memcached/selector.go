package memcached

import (
	"net"

	"github.com/bradfitz/gomemcache/memcache"
)

// rendezvous picks a key's server by rendezvous (highest random weight) hashing: every
// server scores the key with murmur3("{server name}-{key}") and the highest score wins,
// ties going to the lexicographically greater name. This is what cachekit-py's
// pymemcache HashClient does by default, so Go and Python clients sharing a pool of
// servers send every key to the same server.
//
// Adding a server moves to it exactly the keys it now wins, about 1/(n+1) of them, and
// no key moves between the old servers; removing one moves only its own keys.
//
// rendezvous is immutable after construction and so safe for concurrent use. It
// implements memcache.ServerSelector.
type rendezvous struct {
	servers []server
	addrs   []net.Addr
}

var _ memcache.ServerSelector = (*rendezvous)(nil)

// staticAddr is a net.Addr that is dialled by its string, so that host names are
// resolved at connect time rather than once at construction.
type staticAddr struct{ network, address string }

func (a staticAddr) Network() string { return a.network }
func (a staticAddr) String() string  { return a.address }

func newRendezvous(servers []server) *rendezvous {
	r := &rendezvous{servers: servers, addrs: make([]net.Addr, len(servers))}
	for i, s := range servers {
		r.addrs[i] = staticAddr{network: s.network, address: s.address}
	}
	return r
}

// hashInputMax bounds the stack buffer used to score a key: a 250-byte key, the dash and
// a server name of up to 261 bytes (a maximal DNS name and port).
const hashInputMax = 512

// pick returns the index of the server that owns key.
func (r *rendezvous) pick(key string) int {
	if len(r.servers) == 1 {
		return 0
	}
	var buf [hashInputMax]byte
	best, bestScore := 0, uint32(0)
	for i, s := range r.servers {
		in := append(buf[:0], s.name...)
		in = append(in, '-')
		in = append(in, key...)
		score := murmur3Sum32(in)
		if i == 0 || score > bestScore || (score == bestScore && s.name > r.servers[best].name) {
			best, bestScore = i, score
		}
	}
	return best
}

// PickServer returns the address of the server that owns key.
func (r *rendezvous) PickServer(key string) (net.Addr, error) {
	return r.addrs[r.pick(key)], nil
}

// Each calls f for every server in the order they were configured, stopping at the
// first error.
func (r *rendezvous) Each(f func(net.Addr) error) error {
	for _, a := range r.addrs {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}
