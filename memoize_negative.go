package cachekit

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// ErrCachedFailure is matched by the error a memoized function returns while a failure
// cached by MemoCacheError or MemoCacheErrorFunc lives. The original error is not
// stored (its message may hold anything); with MemoCacheError the returned error also
// matches the configured target.
//
// A cached failure is stored as one MessagePack extension value, ext type
// NegativeCacheExtType with the 20-byte payload "cachekit.negative/v1" (bytes
// c7 14 4e 63 61 63 68 ...), wrapped in the client's container and encryption like any
// value. Results are written by the SDK's encoder, which writes an extension value
// only for a codec.Ext in the result itself, so a real result collides with the marker
// only if it is that exact codec.Ext: ext type 78 is reserved for it. Other SDKs
// reading the key see an extension value they do not know.
var ErrCachedFailure = errors.New("cachekit: the memoized function failed recently and its failure is cached")

// NegativeCacheExtType is the MessagePack extension type of a cached failure ('N').
const NegativeCacheExtType int8 = 0x4e

// negativeValue is what a cached failure stores, and negativeMarker its MessagePack.
var (
	negativeValue  = codec.Ext{Type: NegativeCacheExtType, Data: []byte("cachekit.negative/v1")}
	negativeMarker = mustMarshal(negativeValue)
)

func mustMarshal(v any) []byte {
	b, err := codec.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cachekit: encoding a constant: %v", err)) // a bug, caught by every test
	}
	return b
}

// isNegative reports whether a stored document is the cached-failure marker.
func isNegative(data []byte) bool { return bytes.Equal(data, negativeMarker) }

// negativeError is the error a negative hit returns.
func negativeError(target error) error {
	if target == nil {
		return ErrCachedFailure
	}
	return fmt.Errorf("%w: %w", ErrCachedFailure, target)
}
