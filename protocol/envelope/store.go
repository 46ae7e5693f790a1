package envelope

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/pierrec/lz4/v4"
	"github.com/zeebo/xxh3"
)

// Limits of spec/wire-format.md, enforced by Store and Retrieve.
const (
	// MaxEnvelopeSize is the largest envelope, in bytes, that Store writes or
	// Retrieve reads (512 MiB).
	MaxEnvelopeSize = 536870912
	// MaxCompressedSize is the largest compressed_data, in bytes (512 MiB).
	MaxCompressedSize = 536870912
	// MaxOriginalSize is the largest original_size, in bytes (512 MiB).
	MaxOriginalSize = 536870912
	// MaxRatio bounds original_size to MaxRatio times the compressed size.
	MaxRatio = 1000
)

// FormatMsgpack is the format string of an envelope whose payload is MessagePack,
// the only format the cachekit SDKs write.
const FormatMsgpack = "msgpack"

// checksumField is the largest encoding of the checksum element: a fixarray header
// and eight uint8 values.
const checksumField = 1 + 8*2

// compressors holds lz4.Compressor scratch space (a 64 Ki-entry hash table) so that
// Store does not allocate one per call.
var compressors = sync.Pool{New: func() any { return new(lz4.Compressor) }}

// Store wraps data in a ByteStorage envelope: the LZ4 block of data as bin, the
// xxHash3-64 of data as eight big-endian byte integers, len(data) and format.
// format is normally FormatMsgpack; it must be a non-empty UTF-8 string. Empty data
// is stored as the one-byte block 00.
//
// Store fails with an error wrapping ErrOriginalTooLarge for data longer than
// MaxOriginalSize, ErrCompressedTooLarge or ErrEnvelopeTooLarge when the result
// would break those limits, and ErrInvalidFormat for a bad format. data is not
// retained.
func Store(data []byte, format string) ([]byte, error) {
	if len(data) > MaxOriginalSize {
		return nil, fmt.Errorf("envelope: store %d bytes: %w", len(data), ErrOriginalTooLarge)
	}
	if format == "" || !utf8.ValidString(format) {
		return nil, ErrInvalidFormat
	}

	// One allocation: the block is compressed straight into the output, after room
	// for the widest bin header, then moved down if a shorter header suffices.
	bound := lz4.CompressBlockBound(len(data))
	const maxBinHeader = 5
	size := 1 + maxBinHeader + bound + checksumField + 9 + 5 + len(format)
	out := make([]byte, 1+maxBinHeader+bound, size)
	out[0] = 0x94 // fixarray(4)

	c := compressors.Get().(*lz4.Compressor)
	n, err := c.CompressBlock(data, out[1+maxBinHeader:])
	compressors.Put(c)
	if err != nil || n <= 0 {
		// Unreachable with a destination of CompressBlockBound bytes, which the
		// compressor documents as always sufficient.
		return nil, fmt.Errorf("envelope: lz4 compression of %d bytes failed: %v", len(data), err)
	}
	if n > MaxCompressedSize {
		return nil, fmt.Errorf("envelope: store %d bytes compresses to %d: %w", len(data), n, ErrCompressedTooLarge)
	}
	hdr := binHeaderLen(n)
	if hdr < maxBinHeader {
		copy(out[1+hdr:], out[1+maxBinHeader:1+maxBinHeader+n])
	}
	putBinHeader(out[1:], n)
	out = out[:1+hdr+n]

	out = appendFields(out, xxh3.Hash(data), uint64(len(data)), format)
	if len(out) > MaxEnvelopeSize {
		return nil, fmt.Errorf("envelope: store %d bytes makes a %d-byte envelope: %w", len(data), len(out), ErrEnvelopeTooLarge)
	}
	return out, nil
}

// appendFields appends elements 1 to 3 of the envelope: the checksum as an array of
// eight integers, each a positive fixint or uint8, then original_size and format in
// their shortest forms.
func appendFields(dst []byte, sum uint64, originalSize uint64, format string) []byte {
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], sum)
	dst = appendArrayHeader(dst, len(be))
	for _, b := range be {
		dst = appendUint(dst, uint64(b))
	}
	dst = appendUint(dst, originalSize)
	return appendStr(dst, format)
}

// encodeEnvelope builds the canonical envelope of already-computed fields. Store
// produces the same bytes for the block its compressor emits; tests feed it blocks
// that are not compressor output (the constructed vectors).
func encodeEnvelope(block []byte, sum uint64, originalSize uint64, format string) []byte {
	out := make([]byte, 1+binHeaderLen(len(block)), 1+binHeaderLen(len(block))+len(block)+checksumField+9+5+len(format))
	out[0] = 0x94
	putBinHeader(out[1:], len(block))
	out = append(out, block...)
	return appendFields(out, sum, originalSize, format)
}
