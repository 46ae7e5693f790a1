package envelope

import (
	"errors"
	"fmt"
)

// Step is a numbered check of the spec's Retrieve Flow (spec/wire-format.md). The
// numbers are the spec's, so a reject vector's reject_step compares directly.
type Step uint8

// The steps of the Retrieve Flow that can reject an envelope. Step 7 (computing the
// checksum) cannot fail and has no constant.
const (
	StepSize          Step = 1 // envelope length <= MaxEnvelopeSize
	StepDecode        Step = 2 // bounded pre-scan, then typed decode of the four elements
	StepCompressedCap Step = 3 // compressed_data length <= MaxCompressedSize
	StepOriginalCap   Step = 4 // original_size <= MaxOriginalSize
	StepRatio         Step = 5 // compressed_data not empty, ratio <= MaxRatio
	StepDecompress    Step = 6 // LZ4 block decodes into exactly original_size bytes
	StepChecksum      Step = 8 // xxHash3-64 of the output equals checksum
	StepLength        Step = 9 // output length equals original_size
)

// String returns the step's number and name, such as "step 5 (ratio)".
func (s Step) String() string {
	var name string
	switch s {
	case StepSize:
		name = "envelope size"
	case StepDecode:
		name = "decode"
	case StepCompressedCap:
		name = "compressed size"
	case StepOriginalCap:
		name = "original size"
	case StepRatio:
		name = "ratio"
	case StepDecompress:
		name = "decompress"
	case StepChecksum:
		name = "checksum"
	case StepLength:
		name = "length"
	default:
		return fmt.Sprintf("Step(%d)", uint8(s))
	}
	return fmt.Sprintf("step %d (%s)", uint8(s), name)
}

// ErrRejected matches every *RejectError: the stored bytes are not a valid envelope.
// A cache treats it like any other corrupt entry.
var ErrRejected = errors.New("envelope: the stored bytes are not a valid ByteStorage envelope")

// Sentinel errors, one for each way the Retrieve Flow rejects an envelope. Each is
// the Err of a *RejectError; the step it belongs to is in its comment.
var (
	// ErrEnvelopeTooLarge: the envelope exceeds MaxEnvelopeSize (step 1). Store also
	// returns it when the envelope it would produce is too large.
	ErrEnvelopeTooLarge = errors.New("envelope: the envelope is larger than 536870912 bytes")
	// ErrDecodeBounds: the bounded pre-scan refused the document (step 2): it nests
	// deeper than the depth limit, the lengths and counts it declares sum to more than
	// its length minus one, or it ends before the document is complete.
	ErrDecodeBounds = errors.New("envelope: the envelope's MessagePack declares more than its bytes can hold")
	// ErrMalformed: the typed decode refused the document (step 2): not an array of
	// exactly four elements of the envelope's types, a checksum that is not exactly
	// eight byte-sized integers, a legacy byte above 255, or bytes after the document.
	ErrMalformed = errors.New("envelope: the envelope does not have the ByteStorage layout")
	// ErrCompressedTooLarge: compressed_data exceeds MaxCompressedSize (step 3). Store
	// also returns it when the compressed block would be too large.
	ErrCompressedTooLarge = errors.New("envelope: compressed_data is larger than 536870912 bytes")
	// ErrOriginalTooLarge: original_size exceeds MaxOriginalSize (step 4). Store also
	// returns it for data longer than MaxOriginalSize.
	ErrOriginalTooLarge = errors.New("envelope: original_size is larger than 536870912 bytes")
	// ErrEmptyCompressed: compressed_data is empty (step 5). An empty payload is
	// stored as the one-byte block 00, never as an empty one.
	ErrEmptyCompressed = errors.New("envelope: compressed_data is empty")
	// ErrRatio: original_size is more than MaxRatio times the compressed size, a
	// decompression bomb (step 5).
	ErrRatio = errors.New("envelope: original_size exceeds 1000 times the compressed size")
	// ErrDecompress: compressed_data is not a valid LZ4 block for original_size bytes
	// (step 6).
	ErrDecompress = errors.New("envelope: compressed_data is not a valid LZ4 block")
	// ErrChecksum: the xxHash3-64 of the decompressed bytes differs from the stored
	// checksum (step 8).
	ErrChecksum = errors.New("envelope: checksum mismatch")
	// ErrLength: the block decodes to a length other than original_size (step 6, where
	// the decoder sees it, or step 9).
	ErrLength = errors.New("envelope: decompressed length differs from original_size")
)

// ErrInvalidFormat is returned by Store for an empty format or one that is not valid
// UTF-8.
var ErrInvalidFormat = errors.New("envelope: format must be a non-empty UTF-8 string")

// RejectError reports the Retrieve Flow step that refused an envelope. Err is one of
// the step sentinels (ErrRatio, ErrChecksum, ...); Detail adds sizes or the position
// of a decode error and never contains payload bytes.
type RejectError struct {
	Step   Step
	Err    error
	Detail string
}

// Error formats the step, the sentinel's message and the detail.
func (e *RejectError) Error() string {
	msg := e.Err.Error() + " [" + e.Step.String() + "]"
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the step sentinel, so errors.Is(err, ErrRatio) works.
func (e *RejectError) Unwrap() error { return e.Err }

// Is reports whether target is ErrRejected, which every RejectError matches.
func (e *RejectError) Is(target error) bool { return target == ErrRejected }

func reject(step Step, sentinel error, format string, args ...any) *RejectError {
	return &RejectError{Step: step, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}
