//go:build js

package cachekitio

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
)

// sendFunc makes one HTTP exchange.
type sendFunc func(*http.Request) (*http.Response, error)

// lookupFunc resolves a host name to addresses; unused under js, where the Fetch API
// connects and resolves.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// newSender returns fetchExchange, which sends through the runtime's fetch. Under js the
// Backend never goes through an http.Client: calling one links net/http's whole
// transport (TLS, HTTP/2, X.509) into the program, about 1.1 MB of a Worker's
// compressed size, which the runtime's fetch makes dead weight. Options.HTTPClient is
// therefore refused here.
func newSender(opts Options, _ apiEndpoint, _ lookupFunc) (sendFunc, func(), error) {
	if opts.HTTPClient != nil {
		return nil, nil, fmt.Errorf("%w: HTTPClient is not supported under js/wasm, where requests go through the runtime's fetch", ErrInvalidOptions)
	}
	return fetchExchange, nil, nil
}
