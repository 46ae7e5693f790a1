package backendtest

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// maxNamePart bounds the part of a UniqueKey taken from the test name, so that keys
// stay well inside memcached's 250-byte limit even with suffixes such as ":lock".
const maxNamePart = 120

// UniqueKey returns a storage key no other test, run or process is using: tb.Name(),
// reduced to the characters every backend accepts in a key, then a random suffix. Use
// it for every key a test writes to a backend that may be shared (one Redis server for
// many tests) or may already hold data, and derive related keys from it by appending
// ":" and a word.
func UniqueKey(tb testing.TB) string {
	tb.Helper()
	name := tb.Name()
	if len(name) > maxNamePart {
		name = name[len(name)-maxNamePart:]
	}
	var sb strings.Builder
	sb.Grow(len(name) + 1 + 13)
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '/', r == '_', r == '-', r == '.':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	sb.WriteByte('-')
	sb.WriteString(strconv.FormatUint(rand.Uint64(), 36))
	return sb.String()
}
