package cachekit

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// Kind classifies a failure so callers can decide what to do about it: retry, fix the
// configuration, or treat the entry as unusable.
type Kind uint8

// The kinds of Error. The Backend kinds come from the L2 backend (or the reliability
// middleware in front of it); the others are raised by the client itself.
const (
	// KindBackendTransient: the backend is temporarily unavailable; a retry may succeed.
	KindBackendTransient Kind = iota + 1
	// KindBackendTimeout: the operation ran out of time.
	KindBackendTimeout
	// KindBackendPermanent: the backend refused the operation; retrying will not help.
	KindBackendPermanent
	// KindBackendAuthentication: the backend refused the credentials.
	KindBackendAuthentication
	// KindBackendCircuitOpen: the circuit breaker is open and the call was not attempted.
	KindBackendCircuitOpen
	// KindBackendBackpressure: too many calls are in flight and this one was shed.
	KindBackendBackpressure
	// KindSerialization: a value could not be encoded, or stored bytes could not be
	// decoded (another container, another SDK's format, or the wrong target type).
	KindSerialization
	// KindEncryption: a value could not be encrypted, or stored bytes could not be
	// decrypted and authenticated. Never a miss and never a wrong value.
	KindEncryption
	// KindConfig: the client is misconfigured or was used in a way it does not support.
	KindConfig
	// KindPayloadTooLarge: the encoded value is larger than the configured maximum (or
	// than the backend accepts).
	KindPayloadTooLarge
	// KindInvalidKey: the key breaks the key rules.
	KindInvalidKey
)

// numKinds sizes per-kind counter arrays (index 0 is unused).
const numKinds = int(KindInvalidKey) + 1

var kindNames = [numKinds]string{
	KindBackendTransient:      "backend transient",
	KindBackendTimeout:        "backend timeout",
	KindBackendPermanent:      "backend permanent",
	KindBackendAuthentication: "backend authentication",
	KindBackendCircuitOpen:    "backend circuit open",
	KindBackendBackpressure:   "backend backpressure",
	KindSerialization:         "serialization",
	KindEncryption:            "encryption",
	KindConfig:                "config",
	KindPayloadTooLarge:       "payload too large",
	KindInvalidKey:            "invalid key",
}

// String returns the kind's name, such as "serialization".
func (k Kind) String() string {
	if int(k) < numKinds && k != 0 {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Sentinel errors, one per Kind: every *Error matches the sentinel of its Kind with
// errors.Is.
var (
	ErrBackendTransient      = errors.New("cachekit: the backend is temporarily unavailable")
	ErrBackendTimeout        = errors.New("cachekit: the backend operation timed out")
	ErrBackendPermanent      = errors.New("cachekit: the backend refused the operation")
	ErrBackendAuthentication = errors.New("cachekit: the backend refused the credentials")
	ErrBackendCircuitOpen    = errors.New("cachekit: the circuit breaker is open")
	ErrBackendBackpressure   = errors.New("cachekit: too many backend operations are in flight")
	ErrSerialization         = errors.New("cachekit: the value could not be encoded or decoded")
	ErrEncryption            = errors.New("cachekit: the value could not be encrypted or decrypted")
	ErrConfig                = errors.New("cachekit: the configuration is not valid")
	ErrPayloadTooLarge       = errors.New("cachekit: the value is larger than the maximum payload size")
	ErrInvalidKey            = errors.New("cachekit: the key is not valid")
)

// Errors wrapped inside an *Error for conditions callers may want to tell apart within a
// kind.
var (
	// ErrInvalidTTL: a TTL of zero or less (KindConfig). A cache entry always expires.
	ErrInvalidTTL = errors.New("cachekit: a ttl must be positive")
	// ErrNotSupported: the backend lacks the capability the call needs (KindConfig).
	ErrNotSupported = errors.New("cachekit: the backend does not support this operation")
	// ErrClosed: the client was used after Close (KindConfig).
	ErrClosed = errors.New("cachekit: the client is closed")
	// ErrNoMasterKey: encryption was asked for without a master key (KindConfig).
	ErrNoMasterKey = errors.New("cachekit: encryption needs a master key (Options.MasterKey or CACHEKIT_MASTER_KEY)")
)

var kindSentinels = [numKinds]error{
	KindBackendTransient:      ErrBackendTransient,
	KindBackendTimeout:        ErrBackendTimeout,
	KindBackendPermanent:      ErrBackendPermanent,
	KindBackendAuthentication: ErrBackendAuthentication,
	KindBackendCircuitOpen:    ErrBackendCircuitOpen,
	KindBackendBackpressure:   ErrBackendBackpressure,
	KindSerialization:         ErrSerialization,
	KindEncryption:            ErrEncryption,
	KindConfig:                ErrConfig,
	KindPayloadTooLarge:       ErrPayloadTooLarge,
	KindInvalidKey:            ErrInvalidKey,
}

// Error is the error type of the client. Op is the operation ("get", "set", "new", ...),
// Key the user key involved (empty when none is), and Err the cause. No message contains
// a value or key material.
type Error struct {
	Kind Kind
	Op   string
	Key  string
	Err  error
}

// Error formats the failure as "cachekit: op "key": kind: cause".
func (e *Error) Error() string {
	msg := "cachekit: " + e.Op
	if e.Key != "" {
		msg += " " + strconv.Quote(e.Key)
	}
	msg += ": " + e.Kind.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of the error's Kind.
func (e *Error) Is(target error) bool {
	return int(e.Kind) < numKinds && e.Kind != 0 && target == kindSentinels[e.Kind]
}

// KindOf returns the Kind of the first *Error in err's chain, and false when there is
// none.
func KindOf(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return 0, false
}

func newError(kind Kind, op, key string, err error) *Error {
	return &Error{Kind: kind, Op: op, Key: key, Err: err}
}

func errorf(kind Kind, op, key, format string, args ...any) *Error {
	return newError(kind, op, key, fmt.Errorf(format, args...))
}

// backendKind maps a failure of the backend to a Kind. Refusals that are about the
// value or the key keep their meaning, as do the reliability middleware's fail-fast
// refusals (transient backend errors wrapping its sentinels); the rest follow the
// backend's own kind.
func backendKind(err error) Kind {
	switch {
	case errors.Is(err, reliability.ErrCircuitOpen):
		return KindBackendCircuitOpen
	case errors.Is(err, reliability.ErrBackpressure):
		return KindBackendBackpressure
	case errors.Is(err, backend.ErrValueTooLarge):
		return KindPayloadTooLarge
	case errors.Is(err, backend.ErrInvalidKey):
		return KindInvalidKey
	case errors.Is(err, backend.ErrInvalidTTL):
		return KindConfig
	}
	if k, ok := backend.KindOf(err); ok {
		switch k {
		case backend.KindTransient:
			return KindBackendTransient
		case backend.KindTimeout:
			return KindBackendTimeout
		case backend.KindAuthentication:
			return KindBackendAuthentication
		}
		return KindBackendPermanent
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindBackendTimeout
	case errors.Is(err, context.Canceled):
		return KindBackendTransient
	}
	return KindBackendPermanent
}
