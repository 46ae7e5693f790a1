package codec

import (
	"unicode/utf8"

	wire "github.com/cachekit-io/cachekit-go/internal/msgpackwire"
)

// The shortest-form append helpers live in internal/msgpackwire, shared with cachekey's
// scalar fast path; what is left here is codec's own.

func appendStr(b []byte, s string) []byte {
	return append(wire.AppendStrHeader(b, len(s)), s...)
}

// tooLong reports a length MessagePack cannot declare (more than 2^32-1).
func tooLong(n int) bool { return wire.TooLong(n) }

func validUTF8(s string) bool { return utf8.ValidString(s) }
