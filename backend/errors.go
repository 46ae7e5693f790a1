package backend

import (
	"context"
	"errors"
	"fmt"
)

// ErrorKind says what kind of failure a backend met, and so whether retrying can help.
type ErrorKind uint8

const (
	// KindPermanent failures will fail again if retried: a refused value, a bad request,
	// a server-side error that is not about availability.
	KindPermanent ErrorKind = iota
	// KindTransient failures may succeed on retry: connection refused or reset, I/O
	// errors, a server asking the client to back off.
	KindTransient
	// KindTimeout failures ran out of time, on the context or on the backend's own
	// deadline.
	KindTimeout
	// KindAuthentication failures were refused for bad or missing credentials.
	KindAuthentication
)

// String returns the kind's name, such as "transient".
func (k ErrorKind) String() string {
	switch k {
	case KindPermanent:
		return "permanent"
	case KindTransient:
		return "transient"
	case KindTimeout:
		return "timeout"
	case KindAuthentication:
		return "authentication"
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Sentinel errors. Every *Error matches exactly one of the first four with errors.Is,
// according to its Kind.
var (
	ErrPermanent      = errors.New("backend: the operation failed and retrying will not help")
	ErrTransient      = errors.New("backend: the backend is temporarily unavailable")
	ErrTimeout        = errors.New("backend: the operation timed out")
	ErrAuthentication = errors.New("backend: the backend refused the credentials")

	// ErrInvalidTTL is returned (wrapped) by Set and RefreshTTL for a ttl <= 0.
	ErrInvalidTTL = errors.New("backend: ttl must be positive")
	// ErrInvalidKey is returned (wrapped) when a key breaks the backend's own key rules,
	// such as memcached's 250-byte limit.
	ErrInvalidKey = errors.New("backend: the key is not valid for this backend")
	// ErrValueTooLarge is returned (wrapped) when a value exceeds what the backend can
	// store. It is permanent.
	ErrValueTooLarge = errors.New("backend: the value is larger than the backend accepts")
	// ErrClosed is returned by a backend used after Close.
	ErrClosed = errors.New("backend: the backend is closed")
)

// Error is the error type backends return. Op is the operation ("get", "set", ...),
// Backend the implementation name and Key the storage key involved, if any. Err is the
// underlying cause and never contains credentials.
type Error struct {
	Kind    ErrorKind
	Backend string
	Op      string
	Key     string
	Err     error
}

// Error formats the failure without any secret: backend, operation, key and cause.
func (e *Error) Error() string {
	msg := e.Backend + " " + e.Op
	if e.Key != "" {
		msg += fmt.Sprintf(" %q", e.Key)
	}
	msg += ": " + e.Kind.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of the error's Kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.Kind == KindPermanent
	case ErrTransient:
		return e.Kind == KindTransient
	case ErrTimeout:
		return e.Kind == KindTimeout
	case ErrAuthentication:
		return e.Kind == KindAuthentication
	}
	return false
}

// NewError builds an *Error. When kind is not decisive because err is a context error,
// use Wrap, which classifies it.
func NewError(kind ErrorKind, backendName, op, key string, err error) *Error {
	return &Error{Kind: kind, Backend: backendName, Op: op, Key: key, Err: err}
}

// ContextError wraps ctx.Err() (or err, when ctx is done for a reason the caller found
// first) as a KindTimeout *Error for context.DeadlineExceeded and KindTransient for
// cancellation, so that errors.Is(err, context.Canceled) keeps working.
func ContextError(backendName, op, key string, err error) *Error {
	kind := KindTransient
	if errors.Is(err, context.DeadlineExceeded) {
		kind = KindTimeout
	}
	return NewError(kind, backendName, op, key, err)
}

// KindOf returns the kind of the first *Error in err's chain, and false when there is
// none.
func KindOf(err error) (ErrorKind, bool) {
	var be *Error
	if errors.As(err, &be) {
		return be.Kind, true
	}
	return 0, false
}

// IsRetryable reports whether err is a transient or timeout backend failure, the only
// kinds a retry policy should repeat. A cancelled context is never retryable.
func IsRetryable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	k, ok := KindOf(err)
	return ok && (k == KindTransient || k == KindTimeout)
}
