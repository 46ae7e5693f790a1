//go:build js

package cachekitio

import (
	"context"
	"net/http"
	"net/netip"
)

// lookupFunc resolves a host name to addresses; unused under js, where the Fetch API
// connects and resolves.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// newTransport clones http.DefaultTransport. Under js it must not set a dialer, or the
// transport stops using the Fetch API; address checks beyond validateAPIURL are then the
// runtime's business.
func newTransport(poolSize int, _ apiEndpoint, _ lookupFunc) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = poolSize
	return t
}
