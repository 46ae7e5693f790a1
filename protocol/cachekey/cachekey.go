package cachekey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"golang.org/x/crypto/blake2b"
)

// Interop returns the interop/v1 key of an operation called with args:
//
//	{namespace}:{operation}:{hex(BLAKE2b-256(CanonicalArgs(args...)))}
//
// Python, Rust and TypeScript SDKs in interop mode compute the same key for the same
// namespace, operation and argument values. The key is at most MaxKeyLength (194)
// characters. Errors are *KeyError values wrapping ErrInvalidSegment,
// ErrReservedNamespace or one of the argument errors of CanonicalArgs.
func Interop(namespace, operation string, args ...any) (string, error) {
	if err := checkSegments(namespace, operation); err != nil {
		return "", err
	}
	var scratch [scratchSize]byte
	canonical, ok := appendScalarArgs(scratch[:0], args)
	if !ok {
		var err error
		if canonical, err = canonicalArgs(args); err != nil {
			return "", err
		}
	}
	sum := blake2b.Sum256(canonical)
	var digest [64]byte
	hex.Encode(digest[:], sum[:])
	var sb strings.Builder
	sb.Grow(len(namespace) + len(operation) + 2 + len(digest))
	sb.WriteString(namespace)
	sb.WriteByte(':')
	sb.WriteString(operation)
	sb.WriteByte(':')
	sb.Write(digest[:])
	return sb.String(), nil
}

// scratchSize is the stack buffer the canonical bytes of scalar arguments are written
// to; longer argument lists spill to the heap.
const scratchSize = 256

// CanonicalArgs returns the bytes an interop/v1 key hashes: the canonical MessagePack of
// one flat array holding the arguments in order, each mapped onto the interop data model:
//
//   - Go integers of every size (and *big.Int within [-2^63, 2^64-1]) as integers;
//   - float32 and float64: NaN and ±Inf are ErrNonFinite; an integral value in
//     [-2^63, 2^64) becomes that integer (2.0 -> 2, -0.0 -> 0), any other stays float64;
//   - string (valid UTF-8 only, never normalised) as str; []byte as bin; bool; nil;
//   - slices and arrays as arrays; maps with string keys as maps, keys in code point
//     order at every depth; a nil slice or map counts as an empty one, a nil pointer as
//     nil;
//   - Set as an array of its distinct elements ordered by their canonical bytes;
//   - UUID, [16]byte and named types of that shape as the lowercase hyphenated string;
//   - time.Time as its Unix time: floored to whole microseconds, divided once by 10^6
//     in float64, then the float rule (whole seconds become integers). Every time.Time
//     has a zone in Go, so all are accepted; zone-less wall-clock types (structs such as
//     civil.DateTime) are refused like any other struct.
//
// Pointers are followed; named types count as their underlying kind. Anything else
// (structs, maps with non-string keys, channels, functions, complex numbers) is
// ErrUnsupportedType; nesting deeper than codec.MaxDepth is ErrTooDeep. Errors are
// *KeyError values naming the argument's path and type, never its value.
func CanonicalArgs(args ...any) ([]byte, error) {
	var scratch [scratchSize]byte
	if b, ok := appendScalarArgs(scratch[:0], args); ok {
		return bytes.Clone(b), nil
	}
	return canonicalArgs(args)
}

// canonicalArgs is the general path of CanonicalArgs: normalize each argument, then
// encode the list with the canonical encoder. It works on a copy of args, so that
// handing the list to the encoder (an interface) does not move the caller's argument
// slice to the heap.
func canonicalArgs(args []any) ([]byte, error) {
	normal := make([]any, len(args))
	for i, a := range args {
		n, _, err := normalize(a, 1)
		if err != nil {
			return nil, within(err, "args["+strconv.Itoa(i)+"]")
		}
		normal[i] = n
	}
	b, err := codec.MarshalCanonical(normal)
	if err != nil {
		return nil, within(fromCodec(err), "args")
	}
	return b, nil
}

// fromCodec turns an error of the canonical encoder into a *KeyError. Normalised
// arguments only fail there by nesting too deep; anything else would be a gap in
// normalize, reported as an unsupported type.
func fromCodec(err error) error {
	if errors.Is(err, codec.ErrTooDeep) {
		return argError(ErrTooDeep, "arguments nest deeper than 100 levels")
	}
	if errors.Is(err, codec.ErrInvalidUTF8) {
		return argError(ErrInvalidUTF8, "a string is not valid UTF-8")
	}
	return argError(ErrUnsupportedType, "%v", err)
}
