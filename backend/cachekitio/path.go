package cachekitio

import "strings"

// reservedKeys are the keys that would not reach the key validator as one path segment:
// the empty key, the dot segments, and the route tokens under /v1/cache/.
var reservedKeys = map[string]bool{"": true, ".": true, "..": true, "health": true, "ttl": true, "lock": true}

// isReservedKey reports whether key must be refused before a URL is built.
func isReservedKey(key string) bool { return len(key) <= 6 && reservedKeys[key] }

// unreserved reports whether c is an RFC 3986 unreserved character, the only bytes sent
// raw in a key's path segment.
func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// escapeKey returns key as one path segment: every byte outside A-Z a-z 0-9 - . _ ~ is
// written %HH with upper-case hex, so "/", "?", "#", "%", ":" and every byte >= 0x80
// are escaped exactly once. The caller has refused reserved keys already.
func escapeKey(key string) string {
	n := 0
	for i := 0; i < len(key); i++ {
		if !unreserved(key[i]) {
			n++
		}
	}
	if n == 0 {
		return key
	}
	var sb strings.Builder
	sb.Grow(len(key) + 2*n)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if unreserved(c) {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(upperHex[c>>4])
		sb.WriteByte(upperHex[c&15])
	}
	return sb.String()
}
