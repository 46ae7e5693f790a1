package devserver

import (
	"fmt"
	"github.com/cachekit-io/cachekit-go/internal/bearer"
	"log/slog"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Defaults and limits.
const (
	// DefaultAddr is where ListenAndServe listens when Options.Addr is empty: a free
	// port on the IPv4 loopback interface.
	DefaultAddr = "127.0.0.1:0"
	// DefaultMaxValueSize is the largest value a PUT may carry when
	// Options.MaxValueSize is zero: 25 MiB, the hosted service's 25 MB limit. A larger
	// body is answered 413 without being read.
	DefaultMaxValueSize = 25 << 20
	// MaxTTLSeconds is the largest ttl, and the largest ttl plus stale window, the
	// server accepts: 30 days.
	MaxTTLSeconds = 2_592_000
	// MaxStrictKeyLen is the longest key the hosted service accepts, in bytes.
	MaxStrictKeyLen = 400
	// MaxLenientKeyLen is the longest key accepted with Options.LenientKeys.
	MaxLenientKeyLen = 4096
	// DefaultLockTimeout is the lock lifetime used when a lock request has no
	// timeout_ms: 5 s, the SDKs' default.
	DefaultLockTimeout = 5 * time.Second
)

// The API key prefixes the hosted service accepts. Any other prefix fails
// authentication.
const (
	// PrefixSDK marks an SDK key: it must send X-CacheKit-L1-Status on every request,
	// and may write ns:-prefixed and unprefixed keys, never nsapi: ones.
	PrefixSDK = "ck_sdk_"
	// PrefixAPI marks a direct-API key: it may write nsapi:-prefixed and unprefixed
	// keys, never ns: ones.
	PrefixAPI = "ck_api_"
	// PrefixLive marks a legacy key, which may write every key.
	PrefixLive = "ck_live_"
)

// Options configures New. Only APIKeys is required.
type Options struct {
	// APIKeys are the bearer tokens the server accepts. At least one is required; each
	// must start with ck_live_, ck_sdk_ or ck_api_ (which decides what it may do, as on
	// the hosted service) and be a valid bearer token.
	APIKeys []string

	// Backend stores the entries and the locks. It must implement backend.Locker. Nil
	// means a new in-process store (package memory) that Close closes; a backend given
	// here is not closed by the server. The server keeps its own metadata (freshness
	// times) inside the stored values and uses keys prefixed "ckdev:", so the store
	// must not be shared with SDKs that write the same keys directly.
	Backend backend.Backend

	// MaxValueSize is the largest value a PUT may store, in bytes. Zero means
	// DefaultMaxValueSize.
	MaxValueSize int64

	// LenientKeys accepts any key of 1 to MaxLenientKeyLen bytes (after the single
	// percent-decode) that is not a reserved path segment. By default the server
	// enforces the hosted service's key rules: at most 400 bytes of [A-Za-z0-9_.:-], no
	// "..", and a valid namespace after an ns: or nsapi: prefix, answering 400
	// otherwise. Lenient keys suit tests whose keys carry other characters; an
	// application tested that way may still be refused by the real service.
	LenientKeys bool

	// Now is the server's clock, which decides freshness, staleness and eviction.
	// Nil means time.Now. When the server creates its own store, the store uses the
	// same clock. Tests set it to move time by hand.
	Now func() time.Time

	// ExactTimes stamps a write's fresh_until from the exact current time rather than
	// from its whole second. The hosted service floors (spec API-50), so an entry
	// written with a ttl of N seconds is fresh for more than N-1 and at most N seconds,
	// and a one-second entry can vanish almost at once. Tests that need every entry to
	// live its full ttl (the backendtest conformance suite) set ExactTimes; the answers
	// keep whole seconds either way.
	ExactTimes bool

	// Addr is where ListenAndServe listens. Empty means DefaultAddr (loopback). An
	// address that is not loopback is refused unless AllowRemote is set.
	Addr string

	// AllowRemote lets ListenAndServe listen on an address other than loopback. The
	// server is for development and tests: it speaks plain HTTP, so bearer keys travel
	// in clear text.
	AllowRemote bool

	// Logger receives one line per failed store call. Nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) maxValueSize() int64 {
	if o.MaxValueSize > 0 {
		return o.MaxValueSize
	}
	return DefaultMaxValueSize
}

func (o Options) now() func() time.Time {
	if o.Now != nil {
		return o.Now
	}
	return time.Now
}

func (o Options) addr() string {
	if o.Addr == "" {
		return DefaultAddr
	}
	return o.Addr
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// keyClass is what an API key may do, from its prefix.
type keyClass uint8

const (
	classLive keyClass = iota
	classSDK
	classAPI
)

// classify returns the class of an API key by its prefix.
func classify(key string) (keyClass, bool) {
	switch {
	case strings.HasPrefix(key, PrefixSDK):
		return classSDK, true
	case strings.HasPrefix(key, PrefixAPI):
		return classAPI, true
	case strings.HasPrefix(key, PrefixLive):
		return classLive, true
	}
	return 0, false
}

// validate checks the options that New does not act on directly.
func (o Options) validate() error {
	if len(o.APIKeys) == 0 {
		return fmt.Errorf("%w: APIKeys must hold at least one key", ErrInvalidOptions)
	}
	for i, k := range o.APIKeys {
		if _, ok := classify(k); !ok {
			return fmt.Errorf("%w: APIKeys[%d] does not start with %s, %s or %s", ErrInvalidOptions, i, PrefixLive, PrefixSDK, PrefixAPI)
		}
		if !bearer.Valid(k) {
			return fmt.Errorf("%w: APIKeys[%d] is not a valid bearer token", ErrInvalidOptions, i)
		}
	}
	if o.MaxValueSize < 0 {
		return fmt.Errorf("%w: MaxValueSize %d is negative", ErrInvalidOptions, o.MaxValueSize)
	}
	if o.Backend != nil {
		if _, ok := o.Backend.(backend.Locker); !ok {
			return fmt.Errorf("%w: Backend %T does not implement backend.Locker", ErrInvalidOptions, o.Backend)
		}
	}
	return nil
}
