package cachekitio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// name is the backend's name in errors and health reports.
const name = "cachekitio"

// Sentinel errors of this package. Failed calls return *backend.Error values whose
// cause wraps one of these or a *StatusError; errors.Is and errors.As find them.
var (
	// ErrInvalidOptions is wrapped by New's and FromEnv's errors when the options break
	// a rule. The message names the field or variable, never the API key.
	ErrInvalidOptions = errors.New("cachekitio: the options are not valid")
	// ErrUnsafeURL is wrapped by New's error when Options.APIURL fails the SSRF rules:
	// not https, a private or loopback address, a host outside the allowlist, userinfo,
	// a query, a fragment, a path, or an unusual spelling of the host.
	ErrUnsafeURL = errors.New("cachekitio: the API URL is not allowed")
	// ErrReservedKey is returned (wrapped) for a key that is empty or exactly ".", "..",
	// "health", "ttl" or "lock": such a key would address another route, so it is
	// refused before any URL is built. It wraps backend.ErrInvalidKey.
	ErrReservedKey = fmt.Errorf("cachekitio: the key is empty or a reserved path segment (\".\", \"..\", \"health\", \"ttl\", \"lock\"): %w", backend.ErrInvalidKey)
	// ErrTTLTooLong is returned (wrapped) when a ttl rounds up to more than MaxTTL, the
	// 30-day limit of cachekit.io. It wraps backend.ErrInvalidTTL and is permanent.
	ErrTTLTooLong = fmt.Errorf("cachekitio: the ttl exceeds cachekit.io's 30-day maximum: %w", backend.ErrInvalidTTL)
	// ErrEntryStale is returned (wrapped) by RefreshTTL when the server answers 409: the
	// entry is past its fresh lifetime and only a new Set can renew it. It is permanent.
	ErrEntryStale = errors.New("cachekitio: the entry is stale; store a recomputed value instead of refreshing its ttl")
	// ErrRedirect is returned (wrapped) when the server answers with a redirect. The
	// client never follows one, so that the API key is never sent to another place. It
	// is permanent.
	ErrRedirect = errors.New("cachekitio: the server answered with a redirect, which is never followed")
	// ErrResponseTooLarge is returned (wrapped) when a response body is longer than the
	// client reads (Options.MaxResponseSize for values, a few KiB for JSON). It is
	// permanent and nothing of the body is returned.
	ErrResponseTooLarge = errors.New("cachekitio: the response body is larger than the client accepts")
	// ErrTruncatedResponse is returned (wrapped) when a response body ended before its
	// declared length. It is transient and nothing of the body is returned.
	ErrTruncatedResponse = errors.New("cachekitio: the response body was cut short")
	// ErrMalformedResponse is returned (wrapped) when a JSON answer cannot be parsed or
	// breaks the API's rules (a negative ttl, for example). It is permanent.
	ErrMalformedResponse = errors.New("cachekitio: the server sent an answer the client could not parse")
)

// maxErrorBody is how much of an error response's body a StatusError keeps.
const maxErrorBody = 256

// errorBodyReadLimit is how much of an error response's body is read (and scrubbed of the
// API key) before it is cut to maxErrorBody.
const errorBodyReadLimit = 4 << 10

// StatusError is an HTTP answer that was not a success. It is the cause inside the
// *backend.Error a call returns; its Kind there follows the status: 401 and 403 are
// authentication failures, 408, 429 and 5xx transient, 413 a value too large, and every
// other status permanent.
type StatusError struct {
	// Method and Path are the request's method and escaped path ("/v1/cache/k%3A1").
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Body is the start of the response body, at most 256 bytes, with the API key
	// removed.
	Body string
	// RetryAfter is the server's Retry-After, when it sent a usable one.
	RetryAfter time.Duration
}

// Error describes the answer, including the start of its body.
func (e *StatusError) Error() string {
	msg := "cachekitio: " + e.Method + " " + e.Path + " answered " + strconv.Itoa(e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		msg += " " + t
	}
	if e.Body != "" {
		msg += ": " + strconv.Quote(e.Body)
	}
	return msg
}

// Is lets errors.Is match backend.ErrValueTooLarge for a 413 answer.
func (e *StatusError) Is(target error) bool {
	return target == backend.ErrValueTooLarge && e.StatusCode == http.StatusRequestEntityTooLarge
}

// kindForStatus classifies a non-success HTTP status.
func kindForStatus(code int) backend.ErrorKind {
	switch {
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return backend.KindAuthentication
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return backend.KindTransient
	}
	return backend.KindPermanent
}

// scrubber removes the API key from text that came from outside the client.
type scrubber struct{ secret string }

// scrub replaces every occurrence of the API key with a marker.
func (s scrubber) scrub(text string) string {
	if s.secret == "" || !strings.Contains(text, s.secret) {
		return text
	}
	return strings.ReplaceAll(text, s.secret, "[REDACTED]")
}

// scrubbedError carries an underlying error (for errors.Is and errors.As) behind a message
// from which the API key has been removed.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// transportError classifies a failure to get an answer at all: the caller's context
// ending, an attempt timing out, or a network failure (refused, reset, DNS, TLS).
func (b *Backend) transportError(ctx context.Context, op, key string, err error) *backend.Error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return backend.ContextError(name, op, key, ctxErr)
	}
	cause := &scrubbedError{msg: b.scrub.scrub(err.Error()), err: err}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return backend.NewError(backend.KindTimeout, name, op, key, cause)
	}
	return backend.NewError(backend.KindTransient, name, op, key, cause)
}
