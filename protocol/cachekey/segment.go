package cachekey

import (
	"fmt"
	"strings"
)

// MaxSegmentLength is the longest namespace or operation, in bytes.
const MaxSegmentLength = 64

// MaxKeyLength is the longest interop/v1 key: two 64-byte segments, two colons and the
// 64 hex digits of the hash.
const MaxKeyLength = 2*MaxSegmentLength + 2 + 64

// Validate checks a namespace and an operation as Interop does, so that a caller can
// refuse bad names when it is configured (at decoration time) rather than on first use.
// Each must fully match ^[a-z0-9][a-z0-9._-]{0,63}$ (ASCII only; a trailing newline
// fails) and contain no ".."; the namespace may not be "ns" or "nsapi" (an operation
// may). Invalid segments are rejected, never normalised. The error is a *KeyError
// wrapping ErrInvalidSegment or ErrReservedNamespace.
func Validate(namespace, operation string) error {
	return checkSegments(namespace, operation)
}

func segmentError(s string) string {
	if len(s) == 0 {
		return "is empty"
	}
	if len(s) > MaxSegmentLength {
		return "is longer than 64 bytes"
	}
	if c := s[0]; !isLowerAlnum(c) {
		return "does not start with a lowercase ASCII letter or digit"
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '.' && c != '_' && c != '-' {
			return "holds a character outside a-z 0-9 . _ -"
		}
	}
	if strings.Contains(s, "..") {
		return "contains \"..\""
	}
	return ""
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func checkSegments(namespace, operation string) error {
	if reason := segmentError(namespace); reason != "" {
		return &KeyError{Where: "namespace", Reason: fmt.Sprintf("%q %s", namespace, reason), Err: ErrInvalidSegment}
	}
	if namespace == "ns" || namespace == "nsapi" {
		return &KeyError{Where: "namespace", Reason: fmt.Sprintf("%q is reserved: the cachekit.io server parses it as a key prefix", namespace), Err: ErrReservedNamespace}
	}
	if reason := segmentError(operation); reason != "" {
		return &KeyError{Where: "operation", Reason: fmt.Sprintf("%q %s", operation, reason), Err: ErrInvalidSegment}
	}
	return nil
}
