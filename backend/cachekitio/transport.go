//go:build !js

package cachekitio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// sendFunc makes one HTTP exchange.
type sendFunc func(*http.Request) (*http.Response, error)

// newSender returns how the Backend sends: through a copy of opts.HTTPClient, or through
// a client over its own transport, whose idle connections closeIdle releases. Neither
// follows redirects.
func newSender(opts Options, ep apiEndpoint, lookup lookupFunc) (send sendFunc, closeIdle func(), err error) {
	var c *http.Client
	if opts.HTTPClient != nil {
		cp := *opts.HTTPClient
		c = &cp
	} else {
		c = &http.Client{Transport: newTransport(opts.poolSize(), ep, lookup)}
		closeIdle = c.CloseIdleConnections
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c.Do, closeIdle, nil
}

// lookupFunc resolves a host name to addresses; tests replace it.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

func defaultLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

func (o Options) poolSize() int {
	if o.PoolSize > 0 {
		return o.PoolSize
	}
	return DefaultPoolSize
}

// newTransport builds the client's own transport: a clone of http.DefaultTransport
// (proxy settings from the environment, HTTP/2) keeping poolSize idle connections to the
// API, TLS 1.2 or newer, and, when the API host is a DNS name, a dialer that refuses to
// connect it to an address blockedAddr refuses, so that a name resolving to a private
// address (DNS rebinding) is caught at connection time as well as at construction.
func newTransport(poolSize int, ep apiEndpoint, lookup lookupFunc) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = poolSize
	t.MaxIdleConns = max(poolSize, t.MaxIdleConns)
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if _, err := netip.ParseAddr(ep.name); err == nil || ep.name == "localhost" || strings.HasSuffix(ep.name, ".localhost") {
		return t // an address checked by validateAPIURL, or an allowed loopback name
	}
	if lookup == nil {
		lookup = defaultLookup
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || !strings.EqualFold(host, ep.name) {
			// A proxy, or anything else that is not the API host itself.
			return dialer.DialContext(ctx, network, addr)
		}
		portNum, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return nil, err
		}
		addrs, err := lookup(ctx, host)
		if err != nil {
			return nil, err
		}
		var errs []error
		for _, a := range addrs {
			a = a.Unmap()
			if why := blockedAddr(a); why != "" {
				errs = append(errs, fmt.Errorf("%w: %s resolves to %s, %s", ErrUnsafeURL, host, a, why))
				continue
			}
			conn, err := dialer.DialContext(ctx, network, netip.AddrPortFrom(a, uint16(portNum)).String())
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return nil, fmt.Errorf("cachekitio: %s resolved to no address", host)
		}
		return nil, errors.Join(errs...)
	}
	return t
}
