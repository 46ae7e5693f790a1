package encryption

import (
	"fmt"
	"strconv"
)

const (
	// MasterKeySize is the raw master-key length every SDK accepts, and the only one
	// MasterKeyFromBytes accepts. Documentation recommends exactly this size: it is the
	// only one that is portable to every cachekit SDK.
	MasterKeySize = 32
	// MinMasterKeySize is the shortest master key ParseMasterKey and NewKeyring accept.
	// Longer keys (as cachekit-py and cachekit-rs allow) are used in full as HKDF input.
	MinMasterKeySize = 32
)

const opParseMasterKey = "parse master key"

// ParseMasterKey decodes a master key given as a hex string, as CACHEKIT_MASTER_KEY and
// each entry of CACHEKIT_PREVIOUS_MASTER_KEYS hold it (openssl rand -hex 32 prints one).
// The string must be an even number of hex digits (upper or lower case) that decodes to
// at least MinMasterKeySize bytes. Nothing is trimmed or skipped: white space, a 0x
// prefix, a sign or any other character is refused, so the same string yields the same
// key bytes in every SDK. The error is an *Error wrapping ErrInvalidMasterKey and never
// quotes the input.
func ParseMasterKey(hex string) ([]byte, error) {
	return parseMasterKey(hex, "")
}

// parseMasterKey is ParseMasterKey with the key's position for error messages. It
// decodes by hand rather than with encoding/hex, whose errors quote the offending
// character, which is part of the secret.
func parseMasterKey(s, which string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, configError(opParseMasterKey, which,
			"the hex string has an odd number of characters ("+strconv.Itoa(len(s))+")", ErrInvalidMasterKey)
	}
	// Check every character before looking at the length, so a short key with a stray
	// character is reported for the character, which is the mistake to fix first.
	for i := 0; i < len(s); i++ {
		if _, ok := hexValue(s[i]); !ok {
			return nil, configError(opParseMasterKey, which,
				"character "+strconv.Itoa(i+1)+" of the hex string is not a hex digit", ErrInvalidMasterKey)
		}
	}
	if len(s)/2 < MinMasterKeySize {
		return nil, configError(opParseMasterKey, which,
			fmt.Sprintf("the key is %d bytes; at least %d bytes (%d hex digits) are required",
				len(s)/2, MinMasterKeySize, 2*MinMasterKeySize), ErrInvalidMasterKey)
	}
	key := make([]byte, len(s)/2)
	for i := range key {
		hi, _ := hexValue(s[2*i])
		lo, _ := hexValue(s[2*i+1])
		key[i] = hi<<4 | lo
	}
	return key, nil
}

// hexValue returns the value of one hex digit.
func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// MasterKeyFromBytes is the raw-bytes entry point for a master key: it accepts exactly
// MasterKeySize bytes and returns a copy of them. A raw key of any other length is
// refused, in particular the 64 ASCII bytes of a hex string, which would otherwise
// derive a key no other SDK derives; decode hex with ParseMasterKey instead.
// The error is an *Error wrapping ErrInvalidMasterKey.
func MasterKeyFromBytes(raw []byte) ([]byte, error) {
	if len(raw) != MasterKeySize {
		return nil, configError("master key from bytes", "",
			fmt.Sprintf("raw keys must be exactly %d bytes, got %d", MasterKeySize, len(raw)), ErrInvalidMasterKey)
	}
	return append([]byte(nil), raw...), nil
}
