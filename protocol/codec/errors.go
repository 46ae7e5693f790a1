package codec

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoding failures are reported as *DecodeError and encoding failures
// as *EncodeError; both unwrap to one of these, so callers branch with errors.Is.
var (
	// ErrTruncated reports input that ends before its MessagePack document is complete
	// (including empty input).
	ErrTruncated = errors.New("codec: the input ends before its MessagePack document is complete")

	// ErrTrailingBytes reports bytes after the one document the input may hold.
	ErrTrailingBytes = errors.New("codec: bytes follow the one MessagePack document the input may hold")

	// ErrPythonFrame reports input that starts with the CK magic of a cachekit-py
	// auto-mode entry. Such input is one 1-byte document (fixint 67) plus trailing bytes,
	// so errors.Is(err, ErrTrailingBytes) holds for it as well.
	ErrPythonFrame = errors.New("codec: the input is a cachekit-py auto-mode entry (a CK frame), not a MessagePack value")

	// ErrTooDeep reports containers nested deeper than MaxDepth levels.
	ErrTooDeep = errors.New("codec: containers are nested deeper than 100 levels")

	// ErrDeclaredLength reports a document whose declared lengths (array elements, two
	// per map pair, str, bin and ext bytes) add up to more than the input can hold.
	ErrDeclaredLength = errors.New("codec: the lengths the document declares exceed what the input can hold")

	// ErrInvalidFormat reports the byte 0xc1, which MessagePack never uses.
	ErrInvalidFormat = errors.New("codec: the input holds a byte that is not a MessagePack format code")

	// ErrTypeMismatch reports a well-formed value that does not fit the Go type it is
	// decoded into (a string into an int, 300 into an int8, a map into a slice, ...).
	ErrTypeMismatch = errors.New("codec: a MessagePack value does not fit the Go type it is decoded into")

	// ErrInvalidTemporal reports a temporal sentinel map whose text is not a valid
	// ISO 8601 date, time or datetime.
	ErrInvalidTemporal = errors.New("codec: a temporal sentinel map holds text that is not a valid ISO 8601 value")

	// ErrUnhashableKey reports a map key that a Go map[any]any cannot hold (an array,
	// map, bin or ext value) when decoding into an interface.
	ErrUnhashableKey = errors.New("codec: a map key is an array, map, bin or ext value, which a Go map cannot hold as a key")

	// ErrInvalidTarget reports an Unmarshal target that is not a non-nil pointer.
	ErrInvalidTarget = errors.New("codec: Unmarshal needs a non-nil pointer to decode into")

	// ErrUnsupportedType reports a Go value with no MessagePack form (channels,
	// functions, complex numbers, unsafe pointers).
	ErrUnsupportedType = errors.New("codec: the Go type has no MessagePack encoding")

	// ErrNonStringKey reports a map key that is not a string in MarshalCanonical.
	ErrNonStringKey = errors.New("codec: canonical MessagePack allows only string map keys")

	// ErrInvalidUTF8 reports a string that is not valid UTF-8 in MarshalCanonical.
	ErrInvalidUTF8 = errors.New("codec: canonical MessagePack allows only valid UTF-8 strings")

	// ErrTimeRange reports a time.Time outside years 1 to 9999, which the ISO 8601 text
	// of a datetime sentinel (and the other SDKs) cannot carry.
	ErrTimeRange = errors.New("codec: a time outside years 1-9999 cannot be written as a datetime sentinel")
)

// DecodeError describes why a document was refused. It never quotes the input: decoded
// bytes may be a user's data.
type DecodeError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Reason says what was wrong, in words.
	Reason string
	// Err is the sentinel error for the class of problem (ErrTruncated, ...).
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("codec: cannot decode: %s (at byte %d)", e.Reason, e.Offset)
}

// Unwrap returns the sentinel error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports a CK frame as a trailing-bytes failure too, which is what it is structurally.
func (e *DecodeError) Is(target error) bool {
	return target == ErrTrailingBytes && e.Err == ErrPythonFrame
}

// EncodeError describes why a Go value could not be encoded. It names the Go type,
// never the value.
type EncodeError struct {
	// Type is the Go type that could not be encoded, as reflect prints it.
	Type string
	// Reason says what was wrong, in words.
	Reason string
	// Err is the sentinel error for the class of problem (ErrUnsupportedType, ...).
	Err error
}

// Error implements error.
func (e *EncodeError) Error() string {
	return fmt.Sprintf("codec: cannot encode a value of type %s: %s", e.Type, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *EncodeError) Unwrap() error { return e.Err }
