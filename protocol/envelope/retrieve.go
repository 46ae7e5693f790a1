package envelope

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/pierrec/lz4/v4"
	"github.com/zeebo/xxh3"
)

// fields are the four decoded elements of an envelope. compressed may alias the
// input.
type fields struct {
	compressed   []byte
	checksum     [8]byte
	originalSize uint64
	format       []byte
}

// Retrieve opens a ByteStorage envelope written by any SDK and returns the original
// bytes and the envelope's format string. It accepts compressed_data as bin or as the
// legacy array of integers.
//
// Every failure is a *RejectError naming the Retrieve Flow step that caught it (see
// the package documentation for the order); it matches ErrRejected and its step's
// sentinel with errors.Is. The format is returned as stored: callers check it
// against the format they expect. envelope is not retained or modified.
func Retrieve(envelope []byte) (data []byte, format string, err error) {
	// Step 1: size cap, before looking at any byte.
	if len(envelope) > MaxEnvelopeSize {
		return nil, "", reject(StepSize, ErrEnvelopeTooLarge, "%d bytes", len(envelope))
	}

	// Step 2: bounded pre-scan, then typed decode.
	f, rerr := decodeFields(envelope)
	if rerr != nil {
		return nil, "", rerr
	}

	// Step 3: compressed cap. A bin can only exceed it inside an envelope that is
	// larger still, which step 1 refused; the check stays for a reader that is ever
	// fed from elsewhere.
	compressedSize := uint64(len(f.compressed))
	if compressedSize > MaxCompressedSize {
		return nil, "", reject(StepCompressedCap, ErrCompressedTooLarge, "%d bytes", compressedSize)
	}

	// Step 4: original cap, on the 64-bit value as written.
	if f.originalSize > MaxOriginalSize {
		return nil, "", reject(StepOriginalCap, ErrOriginalTooLarge, "original_size %d", f.originalSize)
	}

	// Step 5: decompression bomb. Both operands are at most 2^29 here, so the 64-bit
	// product cannot overflow.
	if compressedSize == 0 {
		return nil, "", reject(StepRatio, ErrEmptyCompressed, "original_size %d", f.originalSize)
	}
	if f.originalSize > MaxRatio*compressedSize {
		return nil, "", reject(StepRatio, ErrRatio, "original_size %d, compressed %d bytes", f.originalSize, compressedSize)
	}

	// Step 6: decompress into exactly original_size bytes. The output is the only
	// allocation sized from the envelope, and both bounds above now hold for it.
	out := make([]byte, f.originalSize)
	n, derr := lz4.UncompressBlock(f.compressed, out)
	if derr != nil {
		return nil, "", reject(StepDecompress, ErrDecompress, "%v", derr)
	}
	if uint64(n) != f.originalSize {
		return nil, "", reject(StepDecompress, ErrLength, "block decodes to %d bytes, original_size is %d", n, f.originalSize)
	}

	// Steps 7 and 8: checksum of the output.
	if xxh3.Hash(out) != binary.BigEndian.Uint64(f.checksum[:]) {
		return nil, "", reject(StepChecksum, ErrChecksum, "%d bytes", n)
	}

	// Step 9: length. Step 6 already guarantees it; it is kept as the spec's last
	// line of defence.
	if uint64(len(out)) != f.originalSize {
		return nil, "", reject(StepLength, ErrLength, "%d bytes, original_size is %d", len(out), f.originalSize)
	}
	return out, string(f.format), nil
}

// decodeFields runs step 2: the bounds pre-scan of the whole document, then the typed
// decode of exactly four elements and nothing after them.
func decodeFields(envelope []byte) (fields, *RejectError) {
	var f fields
	end, err := scanDocument(envelope)
	if err != nil {
		return f, reject(StepDecode, ErrDecodeBounds, "%v", err)
	}
	r := fieldReader{b: envelope}
	n, ok := r.arrayLen()
	if !ok {
		return f, r.malformed("the document is not an array")
	}
	if n != 4 {
		return f, r.malformed("array of %d elements, not 4", n)
	}
	var rerr *RejectError
	if f.compressed, rerr = r.compressedData(); rerr != nil {
		return f, rerr
	}
	if f.checksum, rerr = r.checksum(); rerr != nil {
		return f, rerr
	}
	if f.originalSize, rerr = r.originalSize(); rerr != nil {
		return f, rerr
	}
	if f.format, rerr = r.str("format"); rerr != nil {
		return f, rerr
	}
	if !utf8.Valid(f.format) {
		return f, r.malformed("format is not valid UTF-8")
	}
	if r.off != end || end != len(envelope) {
		return f, r.malformed("%d bytes after the envelope", len(envelope)-r.off)
	}
	return f, nil
}
