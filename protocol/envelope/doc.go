// Package envelope implements the cachekit ByteStorage envelope and recognises
// cachekit-py's CK v3 frame so that it can be refused.
//
// # ByteStorage envelope
//
// Store wraps a payload in the envelope of spec/wire-format.md: a MessagePack array
// of exactly four elements, [compressed_data, checksum, original_size, format], where
// compressed_data is an LZ4 block (no frame, no size prefix) written as bin in its
// shortest form, checksum is the xxHash3-64 of the uncompressed bytes as an array of
// eight byte-sized integers (big-endian), original_size is an unsigned integer and
// format is a string, normally FormatMsgpack. It is the container cachekit-ts uses by
// default and the one cachekit-go writes in envelope mode.
//
// Retrieve reverses Store for envelopes written by any SDK, including the legacy
// encoding whose compressed_data is an array of integers. Every envelope read from a
// backend is untrusted, so Retrieve applies the spec's Retrieve Flow in its exact
// order and stops at the first check that fails:
//
//  1. the envelope is at most MaxEnvelopeSize bytes;
//  2. a bounded pre-scan (nesting depth, declared lengths summed over the document
//     against the input length) and then a typed decode of exactly four elements;
//  3. compressed_data is at most MaxCompressedSize bytes;
//  4. original_size is at most MaxOriginalSize (a value of 2^32 or more is rejected,
//     never truncated);
//  5. compressed_data is not empty and original_size <= MaxRatio * compressed size,
//     multiplied in 64 bits;
//  6. the block decompresses into exactly original_size bytes;
//  7. and 8. the xxHash3-64 of the output equals the stored checksum;
//  9. the output length equals original_size.
//
// A failure is a *RejectError whose Step names the check and whose sentinel (ErrRatio,
// ErrChecksum, ...) can be tested with errors.Is; every such error also matches
// ErrRejected. Nothing is allocated in proportion to a length the envelope declares
// until the checks that bound that length have passed, and no input makes Retrieve
// panic.
//
// The envelope checksum detects corruption, not tampering: an attacker who can write
// to the backend can write a consistent envelope. Tamper resistance comes from the
// encryption layer. The format element is not covered by the checksum either; callers
// must check it against the format they expect.
//
// Compressed bytes are not canonical across LZ4 compressors. Store uses
// github.com/pierrec/lz4/v4's block Compressor, whose output equals the reference
// writer's (lz4_flex) for every published vector except large_compressible, whose
// input the two compressors split differently near the end of the block. The
// envelope encoding around the block is byte-exact for every vector.
//
// # Python CK v3 frames
//
// cachekit-py stores every auto-mode value in its own container: "CK" (43 4B), version
// 03, a big-endian u32 header length, a JSON header {"s", "m", "v"} and the payload.
// It is Python-internal and cachekit-go never decodes one as data, whatever its header
// claims (the header is not authenticated, even for encrypted entries). IsPythonFrame
// is the cheap magic check; ParseFrameHeader validates a frame and returns its header
// for diagnostics only; RefusePythonFrame turns a frame into an error wrapping
// ErrPythonFrame, for readers that must say what they found.
//
// # Contract
//
// The package is pure: no I/O, no goroutines, no global mutable state other than a
// pool of compressor scratch space. All functions are safe for concurrent use. The
// slice returned by Store or Retrieve is newly allocated and belongs to the caller;
// the inputs are never retained or modified.
package envelope
