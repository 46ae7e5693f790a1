package cachekitio

import (
	"fmt"
	"github.com/cachekit-io/cachekit-go/internal/bearer"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero fields of Options, the values of the other cachekit SDKs.
const (
	// DefaultAPIURL is the production API.
	DefaultAPIURL = "https://api.cachekit.io"
	// StagingAPIURL is the staging API, the other host allowed without
	// Options.AllowCustomHost.
	StagingAPIURL = "https://api.staging.cachekit.io"
	// DefaultTimeout bounds each HTTP attempt when Options.Timeout is zero: 5 s.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxRetries is how many times a failed idempotent request is repeated when
	// Options.MaxRetries is zero: 3, so at most 4 attempts.
	DefaultMaxRetries = 3
	// DefaultPoolSize is how many idle connections are kept for reuse when
	// Options.PoolSize is zero: 10.
	DefaultPoolSize = 10
	// DefaultMaxResponseSize bounds the body of a GET when Options.MaxResponseSize is
	// zero: 26 MiB, the service's 25 MB value limit with room to spare.
	DefaultMaxResponseSize = 26 << 20
	// MaxTTL is the longest ttl cachekit.io stores: 30 days (2,592,000 s). Set and
	// RefreshTTL refuse longer ones with an error wrapping ErrTTLTooLong.
	MaxTTL = 30 * 24 * time.Hour
)

// Limits on option values, so that a typo cannot ask for something absurd.
const (
	maxAPIKeyLen  = bearer.MaxLen
	maxRetriesCap = 100
	maxPoolSize   = 10_000
)

// Options configures New. Only APIKey is required; every other zero field means the
// documented default. Options never print the API key: String, GoString and Format
// show it as [REDACTED], whatever the verb. (fmt cannot reach those methods through an
// unexported struct field, so do not print structs that hold Options in one.)
type Options struct {
	// APIKey is the bearer token (ck_live_..., ck_sdk_... or ck_api_...). Required. It
	// must be a valid bearer token: letters, digits and "-._~+/", then optional "=",
	// at most 1024 bytes.
	APIKey string

	// APIURL is the API's base URL. Empty means DefaultAPIURL. It must be https, name
	// api.cachekit.io or api.staging.cachekit.io (unless AllowCustomHost), carry no
	// user info, path, query or fragment, and not be a private, loopback or link-local
	// address in any spelling. See the package documentation.
	APIURL string

	// AllowCustomHost allows an APIURL host other than api.cachekit.io and
	// api.staging.cachekit.io, as CACHEKIT_ALLOW_CUSTOM_HOST=true does. The other URL
	// rules still apply: https only, no private or loopback addresses.
	AllowCustomHost bool

	// AllowInsecureLoopback lets the client talk to a server on this machine, such as
	// the development server of package devserver: APIURL may then be http or https on
	// 127.0.0.0/8, ::1 or localhost. It exists for development and tests only, cannot be
	// set from the environment, and New logs a warning when it is set.
	AllowInsecureLoopback bool

	// Timeout bounds each HTTP attempt, from sending the request to reading the whole
	// answer. Zero means DefaultTimeout. The caller's context bounds the whole call,
	// retries included.
	Timeout time.Duration

	// MaxRetries is how many times a request that failed for a transient reason
	// (network failure, timeout, 408, 429, 5xx) is repeated. Zero means
	// DefaultMaxRetries; a negative value turns retries off. Lock requests are never
	// repeated. See the package documentation for how this combines with package
	// reliability.
	MaxRetries int

	// PoolSize is how many idle connections to the API are kept for reuse
	// (http.Transport.MaxIdleConnsPerHost). Zero means DefaultPoolSize. It is ignored
	// when HTTPClient is set.
	PoolSize int

	// MaxResponseSize bounds the body of a GET, in bytes. Zero means
	// DefaultMaxResponseSize. A longer answer fails with ErrResponseTooLarge before or
	// while it is read, never by exhausting memory.
	MaxResponseSize int64

	// HTTPClient, when not nil, sends the requests instead of a client built from the
	// options above (PoolSize is then ignored, and the SSRF check at connection time is
	// the caller's business). The client copies it and sets CheckRedirect on the copy,
	// so that redirects are never followed; the caller's value is left unchanged. Under
	// GOOS=js New refuses it: there the client calls the runtime's fetch itself, so that
	// net/http's own transport is not linked into the program.
	HTTPClient *http.Client

	// Logger receives the package's warnings. Nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) maxRetries() int {
	switch {
	case o.MaxRetries < 0:
		return 0
	case o.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return o.MaxRetries
}

func (o Options) maxResponseSize() int64 {
	if o.MaxResponseSize > 0 {
		return o.MaxResponseSize
	}
	return DefaultMaxResponseSize
}

func (o Options) apiURL() string {
	if o.APIURL == "" {
		return DefaultAPIURL
	}
	return o.APIURL
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// validate checks everything but the URL, which validateAPIURL checks.
func (o Options) validate() error {
	if o.APIKey == "" {
		return fmt.Errorf("%w: APIKey is required", ErrInvalidOptions)
	}
	if !ValidAPIKey(o.APIKey) {
		return fmt.Errorf("%w: APIKey is not a valid bearer token (1 to %d bytes of letters, digits and \"-._~+/\", then optional \"=\")",
			ErrInvalidOptions, maxAPIKeyLen)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("%w: Timeout %v is negative", ErrInvalidOptions, o.Timeout)
	}
	if o.MaxRetries > maxRetriesCap {
		return fmt.Errorf("%w: MaxRetries %d is above %d", ErrInvalidOptions, o.MaxRetries, maxRetriesCap)
	}
	if o.PoolSize < 0 || o.PoolSize > maxPoolSize {
		return fmt.Errorf("%w: PoolSize %d is outside 0..%d", ErrInvalidOptions, o.PoolSize, maxPoolSize)
	}
	if o.MaxResponseSize < 0 {
		return fmt.Errorf("%w: MaxResponseSize %d is negative", ErrInvalidOptions, o.MaxResponseSize)
	}
	return nil
}

// ValidAPIKey reports whether s can be an API key: an RFC 6750 b64token of at most
// 1024 bytes, the form a bearer credential takes in an Authorization header. New refuses
// other keys.
func ValidAPIKey(s string) bool { return bearer.Valid(s) }

// redacted is how the API key appears in formatted output.
const redacted = "[REDACTED]"

// String describes the options with the API key redacted.
func (o Options) String() string {
	var sb strings.Builder
	sb.WriteString("cachekitio.Options{APIKey: ")
	if o.APIKey == "" {
		sb.WriteString(`""`)
	} else {
		sb.WriteString(redacted)
	}
	sb.WriteString(", APIURL: ")
	sb.WriteString(strconv.Quote(o.APIURL))
	fmt.Fprintf(&sb, ", AllowCustomHost: %t, AllowInsecureLoopback: %t, Timeout: %v, MaxRetries: %d, PoolSize: %d, MaxResponseSize: %d",
		o.AllowCustomHost, o.AllowInsecureLoopback, o.Timeout, o.MaxRetries, o.PoolSize, o.MaxResponseSize)
	if o.HTTPClient != nil {
		sb.WriteString(", HTTPClient: set")
	}
	if o.Logger != nil {
		sb.WriteString(", Logger: set")
	}
	sb.WriteString("}")
	return sb.String()
}

// GoString is String, so that %#v redacts the API key too.
func (o Options) GoString() string { return o.String() }

// Format writes String for every verb (%v, %+v, %#v, %s, %q, %x, ...), so that no verb
// can print the API key.
func (o Options) Format(f fmt.State, verb rune) {
	s := o.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}
