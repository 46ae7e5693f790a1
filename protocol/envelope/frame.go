package envelope

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Layout of cachekit-py's CK v3 frame: magic "CK", version byte, u32 BE header length,
// JSON header, payload.
const (
	// FrameVersion is the only CK frame version cachekit-py defines.
	FrameVersion = 3
	// framePrefixLen is magic (2) + version (1) + header length (4).
	framePrefixLen = 7
)

// ErrPythonFrame is matched by the error RefusePythonFrame returns for any value that
// starts with the CK magic: a cachekit-py auto-mode entry, which cachekit-go never
// decodes as data.
var ErrPythonFrame = errors.New("envelope: the value is a cachekit-py CK frame (Python auto-mode entry), which cachekit-go never decodes")

// Sentinel errors of ParseFrameHeader, one per check of the frame layout. Each is the
// Err of a *FrameError.
var (
	// ErrNotFrame: the value does not start with the CK magic 43 4B.
	ErrNotFrame = errors.New("envelope: the value does not start with the CK frame magic")
	// ErrFrameTruncated: the value is shorter than the 7-byte fixed prefix.
	ErrFrameTruncated = errors.New("envelope: the CK frame is shorter than its 7-byte prefix")
	// ErrFrameVersion: the version byte is not FrameVersion.
	ErrFrameVersion = errors.New("envelope: the CK frame version is not 3")
	// ErrFrameHeaderLength: the declared header length runs past the end of the value.
	ErrFrameHeaderLength = errors.New("envelope: the CK frame header length overruns the value")
	// ErrFrameHeader: the header is not a UTF-8 JSON object with the frame's field
	// types ("s" a string, "m" an object, "v" a string).
	ErrFrameHeader = errors.New("envelope: the CK frame header is not a valid JSON header")
	// ErrFrameSerializer: the header records no serializer name ("s" missing or empty).
	ErrFrameSerializer = errors.New("envelope: the CK frame header records no serializer name")
)

// FrameError reports why ParseFrameHeader refused a value. Err is one of the frame
// sentinels. Except for ErrNotFrame, the value did start with the CK magic, so the
// error also matches ErrPythonFrame.
type FrameError struct {
	Err    error
	Detail string
}

// Error formats the sentinel's message and the detail.
func (e *FrameError) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

// Unwrap returns the frame sentinel.
func (e *FrameError) Unwrap() error { return e.Err }

// Is reports whether target is ErrPythonFrame and the value carried the CK magic.
func (e *FrameError) Is(target error) bool {
	return target == ErrPythonFrame && e.Err != ErrNotFrame
}

// FrameHeader is the parsed prefix and JSON header of a CK v3 frame. It is for
// diagnostics: every field comes from unauthenticated bytes (even for encrypted
// entries), so no decision about how to read the payload may rest on it.
type FrameHeader struct {
	// Version is the frame version byte (always FrameVersion after a successful parse).
	Version byte
	// HeaderLen is the declared length of the JSON header in bytes.
	HeaderLen uint32
	// Serializer is the header's "s": the cachekit-py serializer name, never empty.
	Serializer string
	// Metadata is the header's "m" (nil when absent). Numbers are json.Number.
	Metadata map[string]any
	// EnvelopeVersion is the header's "v", the Python wrapper's own version string
	// (currently "2.0"); it is not validated.
	EnvelopeVersion string
	// PayloadOffset is where the payload starts in the parsed value: 7 + HeaderLen.
	PayloadOffset int
}

// IsPythonFrame reports whether b starts with the CK magic 43 4B. It is the cheap
// check a reader runs before refusing a value; ParseFrameHeader validates the rest.
// A MessagePack document can start with these bytes only as the integer 67 followed
// by trailing bytes, which no single-document reader accepts.
func IsPythonFrame(b []byte) bool {
	return len(b) >= 2 && b[0] == 'C' && b[1] == 'K'
}

// ParseFrameHeader checks that b is a well-formed CK v3 frame (magic, version 3, a
// header length within b, a UTF-8 JSON object header with a non-empty serializer
// name) and returns its header. It never looks at the payload. Failures are
// *FrameError values wrapping one of the frame sentinels.
func ParseFrameHeader(b []byte) (FrameHeader, error) {
	var h FrameHeader
	if !IsPythonFrame(b) {
		return h, &FrameError{Err: ErrNotFrame}
	}
	if len(b) < framePrefixLen {
		return h, &FrameError{Err: ErrFrameTruncated, Detail: fmt.Sprintf("%d bytes", len(b))}
	}
	if b[2] != FrameVersion {
		return h, &FrameError{Err: ErrFrameVersion, Detail: fmt.Sprintf("version %d", b[2])}
	}
	h.Version = b[2]
	h.HeaderLen = binary.BigEndian.Uint32(b[3:framePrefixLen])
	if uint64(h.HeaderLen) > uint64(len(b)-framePrefixLen) {
		return h, &FrameError{Err: ErrFrameHeaderLength,
			Detail: fmt.Sprintf("header length %d, %d bytes follow the prefix", h.HeaderLen, len(b)-framePrefixLen)}
	}
	h.PayloadOffset = framePrefixLen + int(h.HeaderLen)
	if err := h.parseJSON(b[framePrefixLen:h.PayloadOffset]); err != nil {
		return FrameHeader{}, err
	}
	return h, nil
}

// parseJSON decodes the header object into h.
func (h *FrameHeader) parseJSON(header []byte) error {
	if !utf8.Valid(header) {
		return &FrameError{Err: ErrFrameHeader, Detail: "not valid UTF-8"}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil || raw == nil {
		return &FrameError{Err: ErrFrameHeader, Detail: "not a JSON object"}
	}
	if s, ok := raw["s"]; ok {
		if err := json.Unmarshal(s, &h.Serializer); err != nil || bytes.Equal(s, []byte("null")) {
			return &FrameError{Err: ErrFrameHeader, Detail: `"s" is not a string`}
		}
	}
	if h.Serializer == "" {
		return &FrameError{Err: ErrFrameSerializer}
	}
	if m, ok := raw["m"]; ok {
		dec := json.NewDecoder(bytes.NewReader(m))
		dec.UseNumber()
		if err := dec.Decode(&h.Metadata); err != nil || h.Metadata == nil {
			return &FrameError{Err: ErrFrameHeader, Detail: `"m" is not an object`}
		}
	}
	if v, ok := raw["v"]; ok {
		if err := json.Unmarshal(v, &h.EnvelopeVersion); err != nil || bytes.Equal(v, []byte("null")) {
			return &FrameError{Err: ErrFrameHeader, Detail: `"v" is not a string`}
		}
	}
	return nil
}

// RefusePythonFrame returns nil when b does not start with the CK magic. Otherwise it
// returns an error matching ErrPythonFrame that names the serializer when the frame
// parses, or also matches the frame sentinel saying why it does not. Readers call it
// to say what they found instead of decoding the bytes as their own container.
func RefusePythonFrame(b []byte) error {
	if !IsPythonFrame(b) {
		return nil
	}
	h, err := ParseFrameHeader(b)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w (serializer %s, %d-byte payload)", ErrPythonFrame, quoteShort(h.Serializer), len(b)-h.PayloadOffset)
}

// quoteShort quotes an untrusted name for an error message, cut to 64 bytes.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q...", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}
