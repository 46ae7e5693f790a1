package encryption

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// String describes the keyring without key material: its tenant, how many decrypt-only
// keys it holds and the fingerprint of its current key, for example
// `encryption.Keyring{tenant: "default", previous: 1, current: 96179a9bc881aa7ca83f04b78a66afd3}`.
func (k Keyring) String() string {
	if len(k.keys) == 0 {
		return "encryption.Keyring{}"
	}
	return "encryption.Keyring{tenant: " + strconv.Quote(k.tenant) +
		", previous: " + strconv.Itoa(len(k.keys)-1) +
		", current: " + hex.EncodeToString(k.keys[0].fingerprint[:]) + "}"
}

// GoString is String, so %#v shows no key material either. String, GoString and
// Format have value receivers so that a Keyring value formats as safely as a pointer.
func (k Keyring) GoString() string { return k.String() }

// Format writes String for every verb and flag (%v, %+v, %#v, %s, %q, %x, ...), so no
// formatting path prints the ciphers behind the keyring.
func (k Keyring) Format(f fmt.State, verb rune) {
	s := k.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}
