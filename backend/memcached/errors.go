package memcached

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// name is the backend's name in errors and health reports.
const name = "memcached"

// Sentinel errors of this package. Failures of calls are *backend.Error values whose
// cause wraps one of these, a *ServerError, or a network error.
var (
	// ErrInvalidOptions is wrapped by New's error when Options break a rule.
	ErrInvalidOptions = errors.New("memcached: the options are not valid")
	// ErrMalformedResponse means a server's reply could not be parsed. It is permanent.
	ErrMalformedResponse = errors.New("memcached: the server sent a reply the client could not parse")
	// ErrMetaUnsupported means a server does not know the meta protocol (memcached older
	// than 1.6), which TTL needs. It is permanent.
	ErrMetaUnsupported = errors.New("memcached: the server does not support the meta protocol (memcached 1.6 or newer is needed)")
)

// ServerError is an error line a memcached server sent in reply to a command.
type ServerError struct {
	// Status is "SERVER_ERROR", "CLIENT_ERROR" or "ERROR".
	Status string
	// Message is the server's text after the status, such as "object too large for
	// cache", limited to printable ASCII.
	Message string
}

// Error returns the reply as the server sent it, prefixed with the package name.
func (e *ServerError) Error() string {
	if e.Message == "" {
		return "memcached: the server replied " + e.Status
	}
	return "memcached: the server replied " + e.Status + " " + e.Message
}

// Is reports that a SERVER_ERROR "object too large" reply matches
// backend.ErrValueTooLarge.
func (e *ServerError) Is(target error) bool {
	return target == backend.ErrValueTooLarge && e.tooLarge()
}

func (e *ServerError) tooLarge() bool {
	return e.Status == "SERVER_ERROR" && strings.Contains(e.Message, "too large")
}

// kind says whether retrying can help. SERVER_ERROR replies other than "object too
// large" (such as "out of memory storing object") are transient, as cachekit-py and
// cachekit-rs classify them; a too-large object, CLIENT_ERROR and ERROR are permanent.
func (e *ServerError) kind() backend.ErrorKind {
	if e.Status == "SERVER_ERROR" && !e.tooLarge() {
		return backend.KindTransient
	}
	return backend.KindPermanent
}

// maxServerMessage bounds the server text kept in a ServerError.
const maxServerMessage = 128

// parseServerError recognises an error reply line (without its CRLF).
func parseServerError(line string) (*ServerError, bool) {
	status, msg, _ := strings.Cut(line, " ")
	switch status {
	case "SERVER_ERROR", "CLIENT_ERROR", "ERROR":
	default:
		return nil, false
	}
	return &ServerError{Status: status, Message: printable(msg)}, true
}

// printable keeps the printable ASCII of s, at most maxServerMessage bytes.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxServerMessage; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// classify maps an error from gomemcache or the meta connection to a kind and a cause
// that is safe to show: the raw reply lines gomemcache quotes in its messages are never
// passed on, since after a desynchronised read they could hold value bytes.
func classify(err error) (backend.ErrorKind, error) {
	var (
		serverErr  *ServerError
		connectErr *memcache.ConnectTimeoutError
		netErr     net.Error
	)
	switch {
	case errors.As(err, &serverErr):
		return serverErr.kind(), err
	case errors.Is(err, ErrMalformedResponse), errors.Is(err, ErrMetaUnsupported):
		return backend.KindPermanent, err
	case errors.As(err, &connectErr):
		return backend.KindTimeout, err
	case errors.As(err, &netErr) && netErr.Timeout():
		return backend.KindTimeout, err
	case errors.Is(err, context.DeadlineExceeded):
		return backend.KindTimeout, err
	case errors.Is(err, memcache.ErrMalformedKey):
		return backend.KindPermanent, fmt.Errorf("%w: the client refused it", backend.ErrInvalidKey)
	case errors.Is(err, memcache.ErrNoServers):
		return backend.KindPermanent, err
	case errors.Is(err, memcache.ErrServerError):
		return backend.KindTransient, err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return backend.KindTransient, err
	case errors.As(err, &netErr):
		return backend.KindTransient, err
	}
	if line, ok := quotedReply(err.Error()); ok {
		if se, ok := parseServerError(line); ok {
			return se.kind(), se
		}
		return backend.KindPermanent, ErrMalformedResponse
	}
	if strings.HasPrefix(err.Error(), "memcache: ") {
		// gomemcache's own protocol complaints ("corrupt get result read", ...).
		return backend.KindPermanent, ErrMalformedResponse
	}
	// Anything else came from the connection: treat it as a passing failure.
	return backend.KindTransient, err
}

// quotedReply extracts the reply line gomemcache quotes at the end of its "unexpected
// response line" errors, without the CRLF.
func quotedReply(msg string) (string, bool) {
	if !strings.HasPrefix(msg, "memcache: unexpected") {
		return "", false
	}
	i := strings.LastIndex(msg, `: "`)
	if i < 0 {
		return "", false
	}
	line, err := strconv.Unquote(msg[i+2:])
	if err != nil {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

// opError builds the error a call returns for err. A done context takes precedence:
// the call is reported as cancelled or timed out, wrapping ctx.Err(). A context whose
// deadline has passed counts as done even if its timer has not fired yet, since a
// connection deadline set from it can expire a moment sooner.
func opError(ctx context.Context, op, key string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return backend.ContextError(name, op, key, ctxErr)
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return backend.ContextError(name, op, key, context.DeadlineExceeded)
	}
	kind, cause := classify(err)
	return backend.NewError(kind, name, op, key, cause)
}

// permanent builds a permanent error for a refusal made before any I/O.
func permanent(op, key string, cause error) error {
	return backend.NewError(backend.KindPermanent, name, op, key, cause)
}
