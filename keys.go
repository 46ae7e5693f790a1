package cachekit

import (
	"errors"
	"fmt"
)

var errEmptyKey = errors.New("the key is empty")

// checkKey applies the key rules: 1 to MaxKeySize bytes, no control bytes (below 0x20,
// or 0x7f). The error describes the fault without repeating the key, which may be long
// or unprintable.
func checkKey(op, key string) *Error {
	if len(key) == 0 {
		return newError(KindInvalidKey, op, "", errEmptyKey)
	}
	if len(key) > MaxKeySize {
		return errorf(KindInvalidKey, op, "", "the key is %d bytes; the limit is %d", len(key), MaxKeySize)
	}
	for i := 0; i < len(key); i++ {
		if b := key[i]; b < 0x20 || b == 0x7f {
			return errorf(KindInvalidKey, op, "", "the key holds control byte 0x%02x at offset %d", b, i)
		}
	}
	return nil
}

// checkNamespace applies the namespace rules: 1 to MaxNamespaceSize printable ASCII
// bytes (0x20 to 0x7e).
func checkNamespace(ns string) error {
	if len(ns) > MaxNamespaceSize {
		return fmt.Errorf("the namespace is %d bytes; the limit is %d", len(ns), MaxNamespaceSize)
	}
	for i := 0; i < len(ns); i++ {
		if b := ns[i]; b < 0x20 || b > 0x7e {
			return fmt.Errorf("the namespace holds byte 0x%02x at offset %d; only printable ASCII is allowed", b, i)
		}
	}
	return nil
}

// storageKey is the key the backend (and the AAD) sees: "{namespace}:{key}", or key
// alone without a namespace.
func (c *Client) storageKey(key string) string {
	if c.prefix == "" {
		return key
	}
	return c.prefix + key
}
