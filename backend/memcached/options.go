package memcached

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero fields of Options.
const (
	// DefaultTimeout bounds every network step (connecting, and each write and read of a
	// command) when Options.Timeout is zero: 500 ms.
	DefaultTimeout = 500 * time.Millisecond
	// DefaultMaxIdleConns is the number of idle connections kept per server when
	// Options.MaxIdleConns is zero: 16.
	DefaultMaxIdleConns = 16
	// DefaultMaxItemSize is the servers' item size limit assumed when
	// Options.MaxItemSize is zero: 1 MiB, memcached's own default (its -I flag).
	DefaultMaxItemSize = 1 << 20
	// ItemOverhead is how much of the item size limit a value cannot use: room for the
	// longest key (MaxKeyLen, 250 bytes) and memcached's item header (59 bytes on 64-bit
	// builds, with CAS) rounded up to 64. Set accepts values of at most
	// Options.MaxItemSize - ItemOverhead bytes: 1048262 with the default limit.
	ItemOverhead = MaxKeyLen + 64
	// minItemSize is memcached's smallest accepted -I.
	minItemSize = 1024
)

// Options configures New. Only Servers is required; every other zero field means the
// documented default.
type Options struct {
	// Servers lists the memcached servers as "host:port" (an IPv6 host in brackets,
	// "[::1]:11211") or as the absolute path of a unix socket ("/run/memcached.sock").
	// Keys are spread over them by rendezvous hashing, the scheme cachekit-py uses, so
	// that the SDKs sharing a pool agree on every key's server and adding a server moves
	// only about 1/n of the keys. Host names are resolved when a connection is made.
	Servers []string

	// Timeout bounds each network step of a call: connecting, and every write and read.
	// Zero means DefaultTimeout. It is also how long a call may outlive a cancelled
	// context (see the package documentation).
	Timeout time.Duration

	// MaxIdleConns is how many idle connections are kept per server for reuse. Zero means
	// DefaultMaxIdleConns. Set it at or above the expected peak of concurrent calls per
	// server: connections beyond it are closed after use and dialled again next time.
	MaxIdleConns int

	// MaxItemSize is the servers' item size limit in bytes, their -I setting. Zero means
	// DefaultMaxItemSize (1 MiB, memcached's default); otherwise it must be at least
	// 1024, memcached's minimum. memcached counts its item header (59 bytes) and the key
	// against the limit, so Set accepts values of at most MaxItemSize - ItemOverhead
	// bytes, which fit whatever the key, and refuses longer ones before sending anything,
	// with an error wrapping backend.ErrValueTooLarge.
	//
	// Never set it above the servers' real limit: memcached answers a set it finds too
	// large with "SERVER_ERROR object too large for cache" (mapped to the same error) and
	// deliberately drops the entry the key held before, so that no stale value survives
	// a failed set.
	MaxItemSize int
}

// server is one validated entry of Options.Servers.
type server struct {
	// name identifies the server in rendezvous hashing: "host:port" with the port in
	// canonical decimal, as cachekit-py's pymemcache HashClient names its nodes, or the
	// socket path.
	name string
	// network and address are what the client dials.
	network, address string
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) maxIdleConns() int {
	if o.MaxIdleConns > 0 {
		return o.MaxIdleConns
	}
	return DefaultMaxIdleConns
}

// maxValueSize is the longest value Set accepts.
func (o Options) maxValueSize() int {
	if o.MaxItemSize > 0 {
		return o.MaxItemSize - ItemOverhead
	}
	return DefaultMaxItemSize - ItemOverhead
}

// validate checks every field and returns the parsed server list.
func (o Options) validate() ([]server, error) {
	if len(o.Servers) == 0 {
		return nil, fmt.Errorf("%w: Servers is empty; give at least one \"host:port\"", ErrInvalidOptions)
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("%w: Timeout is negative", ErrInvalidOptions)
	}
	if o.MaxIdleConns < 0 {
		return nil, fmt.Errorf("%w: MaxIdleConns is negative", ErrInvalidOptions)
	}
	if o.MaxItemSize < 0 || (o.MaxItemSize > 0 && o.MaxItemSize < minItemSize) {
		return nil, fmt.Errorf("%w: MaxItemSize is %d; memcached's item size limit is at least %d bytes", ErrInvalidOptions, o.MaxItemSize, minItemSize)
	}
	servers := make([]server, 0, len(o.Servers))
	seen := make(map[string]bool, len(o.Servers))
	for i, s := range o.Servers {
		srv, err := parseServer(s)
		if err != nil {
			return nil, fmt.Errorf("%w: Servers[%d]: %v", ErrInvalidOptions, i, err)
		}
		if seen[srv.name] {
			return nil, fmt.Errorf("%w: Servers[%d]: %q is listed twice", ErrInvalidOptions, i, srv.name)
		}
		seen[srv.name] = true
		servers = append(servers, srv)
	}
	return servers, nil
}

// parseServer validates one server address without resolving it.
func parseServer(s string) (server, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return server{}, fmt.Errorf("the address is empty")
	}
	if strings.HasPrefix(s, "/") {
		return server{name: s, network: "unix", address: s}, nil
	}
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		return server{}, fmt.Errorf("%q is not \"host:port\" or a unix socket path", s)
	}
	if host == "" {
		return server{}, fmt.Errorf("%q has no host", s)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return server{}, fmt.Errorf("%q has no valid port (1-65535)", s)
	}
	// pymemcache names a node "%s:%s" % (host, port) with host as written (brackets
	// included for IPv6) and the port as an integer.
	hostAsWritten := s[:strings.LastIndexByte(s, ':')]
	name := hostAsWritten + ":" + strconv.FormatUint(port, 10)
	return server{name: name, network: "tcp", address: net.JoinHostPort(host, strconv.FormatUint(port, 10))}, nil
}
