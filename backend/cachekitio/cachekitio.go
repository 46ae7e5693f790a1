package cachekitio

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/backoff"
)

// Backend is a cachekit.io API client implementing backend.Backend,
// backend.TTLInspector, backend.Locker, FreshnessReporter and backend.StatsConsumer. It is
// safe for concurrent use. Build it with New; see the package documentation for the
// request rules it follows.
type Backend struct {
	send        sendFunc // one HTTP exchange; never follows redirects
	closeIdle   func()   // releases idle connections of a transport the Backend owns, or nil
	ep          apiEndpoint
	auth        string // "Bearer <api key>"
	scrub       scrubber
	timeout     time.Duration
	maxRetries  int
	maxResponse int64

	metrics atomic.Pointer[func() L1Metrics]
	closed  atomic.Bool

	// wait sleeps between retries; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// Compile-time checks of the capabilities Backend offers.
var (
	_ backend.Backend       = (*Backend)(nil)
	_ backend.TTLInspector  = (*Backend)(nil)
	_ backend.Locker        = (*Backend)(nil)
	_ FreshnessReporter     = (*Backend)(nil)
	_ backend.StatsConsumer = (*Backend)(nil)
)

// New validates opts and returns a client. It makes no request: use Health to check
// the API key and the connection. The URL rules are in the package documentation; a
// URL that breaks them is refused with an error wrapping ErrUnsafeURL.
func New(opts Options) (*Backend, error) {
	return newBackend(opts, nil)
}

// newBackend is New with a replaceable name resolver for the connection-time check.
func newBackend(opts Options, lookup lookupFunc) (*Backend, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ep, err := validateAPIURL(opts.apiURL(), opts.AllowCustomHost, opts.AllowInsecureLoopback)
	if err != nil {
		return nil, err
	}
	if opts.AllowInsecureLoopback {
		opts.logger().Warn("cachekitio: AllowInsecureLoopback is set; the client may send the API key over plain http to a server on this machine. Use it for development and tests only.",
			"api_url", ep.scheme+"://"+ep.host)
	}
	b := &Backend{
		ep:          ep,
		auth:        "Bearer " + opts.APIKey,
		scrub:       scrubber{secret: opts.APIKey},
		timeout:     opts.timeout(),
		maxRetries:  opts.maxRetries(),
		maxResponse: opts.maxResponseSize(),
		wait:        backoff.Wait,
	}
	if b.send, b.closeIdle, err = newSender(opts, ep, lookup); err != nil {
		return nil, err
	}
	return b, nil
}

// Close releases the idle connections of the client's own transport (not of an
// Options.HTTPClient). Calls made after Close fail with an error wrapping
// backend.ErrClosed. Close is idempotent.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	if b.closeIdle != nil {
		b.closeIdle()
	}
	return nil
}

// SetStatsSource implements backend.StatsConsumer: source supplies the counters sent
// as X-CacheKit-L1-Hits, -L2-Hits, -Misses and -L1-Hit-Rate; nil stops sending them.
func (b *Backend) SetStatsSource(source func() L1Metrics) {
	if source == nil {
		b.metrics.Store(nil)
		return
	}
	b.metrics.Store(&source)
}

// String describes the backend without its API key.
func (b *Backend) String() string {
	return "cachekitio.Backend{APIURL: " + strconv.Quote(b.ep.scheme+"://"+b.ep.host) + ", APIKey: " + redacted + "}"
}

// GoString is String, so that %#v never shows the API key.
func (b *Backend) GoString() string { return b.String() }

// Format writes String for every verb, so that no verb can print the API key.
func (b *Backend) Format(f fmt.State, verb rune) {
	s := b.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// checkCall refuses a call on a closed backend, with a done context, or with a key that
// must not become a path segment.
func (b *Backend) checkCall(ctx context.Context, op, key string, hasKey bool) error {
	if b.closed.Load() {
		return backend.NewError(backend.KindPermanent, name, op, key, backend.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return backend.ContextError(name, op, key, err)
	}
	if hasKey && isReservedKey(key) {
		return backend.NewError(backend.KindPermanent, name, op, key, ErrReservedKey)
	}
	return nil
}

// ttlSeconds applies the API's TTL rules: <= 0 is an error wrapping
// backend.ErrInvalidTTL, a fraction of a second rounds up, and more than 30 days is an
// error wrapping ErrTTLTooLong.
func ttlSeconds(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, backend.ErrInvalidTTL
	}
	if ttl > MaxTTL {
		return 0, ErrTTLTooLong
	}
	secs := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		secs++
	}
	if secs > int64(MaxTTL/time.Second) {
		return 0, ErrTTLTooLong
	}
	return secs, nil
}

// permanent builds a permanent *backend.Error.
func permanent(op, key string, err error) error {
	return backend.NewError(backend.KindPermanent, name, op, key, err)
}

// isStatus reports whether err carries an HTTP answer with the given status.
func isStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.StatusCode == code
}
