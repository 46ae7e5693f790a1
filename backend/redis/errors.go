package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// backendName is the Backend field of every *backend.Error this package returns.
const backendName = "redis"

// Sentinel errors of this package. Failures of operations are *backend.Error values; these
// describe misuse.
var (
	// ErrInvalidOptions is returned (wrapped) by New and ParseURL when the options or the
	// URL cannot describe a deployment. The message never repeats a password.
	ErrInvalidOptions = errors.New("redis: the options do not describe a usable Redis deployment")
	// ErrNilClient is returned by NewFromClient when the client is nil.
	ErrNilClient = errors.New("redis: NewFromClient needs a non-nil rueidis client")
)

// transientRedisPrefixes are server error codes that mean "try again later".
var transientRedisPrefixes = []string{
	"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "OOM",
	"NOREPLICAS", "MISCONF",
}

// authRedisPrefixes are server error codes about credentials or permissions.
var authRedisPrefixes = []string{"WRONGPASS", "NOAUTH", "NOPERM"}

// wrapError classifies err, returned by an operation op on key under ctx, as a
// *backend.Error. A context error stays reachable with errors.Is.
func (b *Backend) wrapError(ctx context.Context, op, key string, err error) error {
	if b.closed.Load() && errors.Is(err, rueidis.ErrClosing) {
		return backend.NewError(backend.KindPermanent, backendName, op, key, backend.ErrClosed)
	}
	return classify(ctx, op, key, err)
}

// classify maps err to a *backend.Error of the right kind.
func classify(ctx context.Context, op, key string, err error) *backend.Error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return backend.ContextError(backendName, op, key, err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The caller gave up while the client failed for another reason; the context is
		// the cause the caller cares about.
		return backend.ContextError(backendName, op, key, ctxErr)
	}
	return backend.NewError(kindOf(err), backendName, op, key, err)
}

// kindOf decides the backend.ErrorKind of a non-context error.
func kindOf(err error) backend.ErrorKind {
	if re, ok := rueidis.IsRedisErr(err); ok {
		msg := re.Error()
		for _, p := range authRedisPrefixes {
			if strings.HasPrefix(msg, p) {
				return backend.KindAuthentication
			}
		}
		// "ERR AUTH <password> called without any password configured ..." (the server
		// prints the placeholder, not the password).
		if strings.HasPrefix(msg, "ERR AUTH") || strings.Contains(msg, "invalid password") {
			return backend.KindAuthentication
		}
		for _, p := range transientRedisPrefixes {
			if strings.HasPrefix(msg, p) {
				return backend.KindTransient
			}
		}
		return backend.KindPermanent
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return backend.KindTimeout
	}
	// A certificate that does not verify will not verify on retry: a configuration error.
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return backend.KindPermanent
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return backend.KindTimeout
		}
		return backend.KindTransient
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.ErrClosedPipe),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, rueidis.ErrClosing), errors.Is(err, rueidis.ErrNoAddr),
		errors.Is(err, rueidis.ErrNoSlot), errors.Is(err, rueidis.ErrDoCacheAborted),
		errors.Is(err, rueidis.ErrDedicatedClientRecycled):
		return backend.KindTransient
	}
	return backend.KindPermanent
}
