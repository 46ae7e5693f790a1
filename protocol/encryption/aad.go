package encryption

import "encoding/binary"

// FormatMsgpack is the AAD format token for MessagePack-family plaintexts: plain
// MessagePack (Go's plain and interop modes) and the ByteStorage envelope (Go's
// envelope mode). It is the only token Go writes.
const FormatMsgpack = "msgpack"

// aadVersion is the first byte of every AAD this package builds.
const aadVersion = 0x03

// compressedToken returns the frozen ASCII token for the compressed flag. The tokens
// are protocol constants (they happen to match Python's str(bool)); no other spelling
// authenticates against other SDKs.
func compressedToken(compressed bool) string {
	if compressed {
		return "True"
	}
	return "False"
}

// AAD builds the v0x03 additional authenticated data that binds a sealed value to its
// context: byte 0x03, then tenant, cache key, format token and compressed token ("True"
// or "False"), each as a u32 big-endian length followed by its UTF-8 bytes. cacheKey is
// the full stored key, namespace included. Go's plain and interop modes use
// (FormatMsgpack, false); envelope mode uses (FormatMsgpack, true). A reader builds the
// AAD from its own configuration and never retries with another one.
//
// Components are expected to be far below 4 GiB (the client caps keys at 1024 bytes).
func AAD(tenant, cacheKey, format string, compressed bool) []byte {
	return buildAAD(tenant, cacheKey, format, compressedToken(compressed))
}

// buildAAD lays out any number of components. Go writes four; cachekit-py's optional
// fifth (original_type) is only ever built by tests that read its vectors.
func buildAAD(components ...string) []byte {
	size := 1
	for _, c := range components {
		size += 4 + len(c)
	}
	aad := make([]byte, 0, size)
	aad = append(aad, aadVersion)
	for _, c := range components {
		aad = binary.BigEndian.AppendUint32(aad, uint32(len(c)))
		aad = append(aad, c...)
	}
	return aad
}
