package encryption

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns matches exactly one of them with
// errors.Is, and is an *Error whose Kind groups it as a configuration, structural,
// authentication or exhaustion failure. No message ever contains key material.
var (
	// ErrInvalidMasterKey: a master key is not hex of at least 32 bytes (ParseMasterKey),
	// not exactly 32 raw bytes (MasterKeyFromBytes), or shorter than 32 bytes (NewKeyring).
	ErrInvalidMasterKey = errors.New("encryption: the master key is not valid")
	// ErrInvalidTenant: the tenant is empty, longer than 1024 bytes or not valid UTF-8.
	ErrInvalidTenant = errors.New("encryption: the tenant is not valid")
	// ErrTooManyKeys: a keyring was given more than MaxPreviousKeys decrypt-only keys.
	ErrTooManyKeys = errors.New("encryption: the keyring holds more than 3 decrypt-only master keys")
	// ErrDuplicateKey: a keyring was given the same master key twice, either the current
	// key again among the decrypt-only keys or one decrypt-only key twice.
	ErrDuplicateKey = errors.New("encryption: the keyring holds the same master key twice")

	// ErrCiphertextTooShort: a sealed value is shorter than Overhead (28) bytes, so it
	// cannot hold a nonce and a tag.
	ErrCiphertextTooShort = errors.New("encryption: the ciphertext is shorter than 28 bytes")
	// ErrPlaintextTooLarge: a plaintext is above the AES-GCM limit of about 64 GiB.
	ErrPlaintextTooLarge = errors.New("encryption: the plaintext is too large for AES-GCM")
	// ErrAuthentication: no key of the keyring authenticates the ciphertext with the
	// given AAD. The value was sealed under another key, tenant or AAD, or was altered.
	ErrAuthentication = errors.New("encryption: the ciphertext failed authentication")

	// ErrNonceExhausted: the keyring has sealed 2^32 values and will not reuse a nonce.
	// Rotate to a new master key (or build a new Keyring) to continue.
	ErrNonceExhausted = errors.New("encryption: the nonce counter of this keyring is exhausted")
)

// Kind groups failures by what the caller can do about them.
type Kind uint8

const (
	// KindConfiguration: bad key or tenant input, rejected when it is loaded.
	KindConfiguration Kind = iota + 1
	// KindStructural: the bytes cannot be a sealed value (too short) or a plaintext
	// AES-GCM can seal (too large).
	KindStructural
	// KindAuthentication: the bytes are shaped right but no key authenticates them.
	KindAuthentication
	// KindExhausted: the keyring may not seal any more values.
	KindExhausted
)

// String returns the kind's name, such as "authentication".
func (k Kind) String() string {
	switch k {
	case KindConfiguration:
		return "configuration"
	case KindStructural:
		return "structural"
	case KindAuthentication:
		return "authentication"
	case KindExhausted:
		return "exhausted"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Error is the error type of this package. Err is one of the sentinels above, so
// errors.Is(err, ErrAuthentication) and errors.As(err, &e) both work. Key names a key
// by its place ("current master key", "decrypt-only master key 2"), never by its bytes,
// and Detail says what is wrong without quoting the input.
type Error struct {
	Kind   Kind
	Op     string // "parse master key", "load keyring", "seal", "open", ...
	Key    string // which key, by position; empty when no single key is at fault
	Detail string // what is wrong, never key material
	Err    error  // one of the sentinel errors
}

// Error formats the failure: the sentinel's message, then the operation, the key's
// position and the detail.
func (e *Error) Error() string {
	msg := e.Err.Error() + " (" + e.Op
	if e.Key != "" {
		msg += ", " + e.Key
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg + ")"
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, and false when there is
// none.
func KindOf(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return 0, false
}

func configError(op, key, detail string, sentinel error) *Error {
	return &Error{Kind: KindConfiguration, Op: op, Key: key, Detail: detail, Err: sentinel}
}
