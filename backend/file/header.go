package file

import (
	"encoding/binary"
	"fmt"
	"time"
)

// HeaderSize is the length in bytes of the header at the start of every entry file.
const HeaderSize = 14

// FormatVersion is the only entry format version this package reads and writes.
const FormatVersion = 1

// Offsets of the header fields, as the protocol's file-backend format lays them out.
const (
	offMagic    = 0
	offVersion  = 2
	offReserved = 3
	offFlags    = 4
	offExpiry   = 6
)

// magic0 and magic1 are the ASCII bytes "CK" that open every entry file.
const (
	magic0 = 'C'
	magic1 = 'K'
)

// Header is the decoded 14-byte header of an entry file:
//
//	43 4B | version 01 | reserved 00 | flags u16 BE | expiry u64 BE Unix seconds
//
// An Expiry of 0 means the entry never expires.
type Header struct {
	// Version is the format version byte; ParseHeader accepts only FormatVersion.
	Version uint8
	// Reserved must be 0 in version 1; a non-zero value marks a transform this reader
	// does not implement.
	Reserved uint8
	// Flags must be 0 in version 1; a non-zero value marks a transform this reader does
	// not implement.
	Flags uint16
	// Expiry is the absolute deadline in whole Unix seconds, or 0 for no expiry.
	Expiry uint64
}

// ParseHeader decodes the header at the start of b, which may hold more bytes (the
// payload) after it.
//
// It returns an error wrapping ErrCorruptEntry when b is shorter than HeaderSize or does
// not start with the magic bytes and FormatVersion: such a file may be removed. It returns
// the decoded header together with an error wrapping ErrUnsupportedEntry when the reserved
// byte or the flags are not zero: such a file holds bytes this reader must not return,
// rewrite or remove.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrCorruptEntry, len(b), HeaderSize)
	}
	if b[offMagic] != magic0 || b[offMagic+1] != magic1 {
		return Header{}, fmt.Errorf("%w: wrong magic bytes %02x %02x", ErrCorruptEntry, b[offMagic], b[offMagic+1])
	}
	h := Header{
		Version:  b[offVersion],
		Reserved: b[offReserved],
		Flags:    binary.BigEndian.Uint16(b[offFlags:]),
		Expiry:   binary.BigEndian.Uint64(b[offExpiry:]),
	}
	if h.Version != FormatVersion {
		return Header{}, fmt.Errorf("%w: version %d is not %d", ErrCorruptEntry, h.Version, FormatVersion)
	}
	if h.Reserved != 0 || h.Flags != 0 {
		return h, fmt.Errorf("%w: reserved byte %d, flags %#04x", ErrUnsupportedEntry, h.Reserved, h.Flags)
	}
	return h, nil
}

// Expired reports whether an entry with this header is expired at now: it has an expiry
// and now has reached it.
func (h Header) Expired(now time.Time) bool {
	if h.Expiry == 0 {
		return false
	}
	sec := now.Unix()
	return sec >= 0 && uint64(sec) >= h.Expiry
}

// appendHeader appends a version-1 header with zero reserved byte and flags (FILE-1,
// FILE-4) and the given expiry to dst.
func appendHeader(dst []byte, expiry uint64) []byte {
	dst = append(dst, magic0, magic1, FormatVersion, 0, 0, 0)
	return binary.BigEndian.AppendUint64(dst, expiry)
}

// expiryAt returns the whole-second Unix deadline of an entry written at now with ttl,
// a positive whole number of seconds (see backend.NormalizeTTL): now + ttl rounded up to
// the next whole second. Rounding up means an entry is never served for less than its
// ttl (at most a second more), so even a one-second entry is readable right after Set;
// cachekit-py truncates instead, which the format allows ("a positive sub-second TTL can
// expire within the current second"), and readers of either SDK treat the stored second
// the same way.
func expiryAt(now time.Time, ttl time.Duration) uint64 {
	sec := now.Unix()
	if sec < 0 {
		sec = 0
	} else if now.Nanosecond() > 0 {
		sec++
	}
	return uint64(sec) + uint64(ttl/time.Second)
}

// remaining returns the lifetime left before expiry at now, rounded down to whole
// seconds, or 0 when it is already reached. expiry must not be 0.
func remaining(expiry uint64, now time.Time) time.Duration {
	sec := now.Unix()
	if sec < 0 {
		sec = 0
	}
	if uint64(sec) >= expiry {
		return 0
	}
	secs := expiry - uint64(sec)
	if now.Nanosecond() > 0 && sec >= 0 {
		secs-- // the fraction of the current second already passed
	}
	const maxSecs = uint64(1<<63-1) / uint64(time.Second)
	if secs > maxSecs {
		secs = maxSecs
	}
	return time.Duration(secs) * time.Second
}
