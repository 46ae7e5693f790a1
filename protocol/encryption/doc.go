// Package encryption is cachekit's client-side encryption: per-tenant keys derived with
// HKDF-SHA256, AES-256-GCM with counter nonces, the v0x03 AAD that binds a value to its
// tenant and cache key, and a keyring of one current and up to three decrypt-only
// master keys for rotation. It does no I/O and depends only on the standard library.
//
// # Contract
//
//   - Master keys come from hex (ParseMasterKey: at least 32 bytes, nothing trimmed) or
//     from raw bytes (MasterKeyFromBytes: exactly 32). Exactly 32 bytes is the only
//     size every SDK accepts, so it is the one to use.
//   - NewKeyring derives every key once. The tenant is the caller's resolved tenant
//     (DefaultTenant when none is configured) and must be the same one used in AAD.
//   - Seal uses the current key and a never-repeating nonce: an 8-byte process-unique
//     instance id and a 4-byte counter; after 2^32 values it returns ErrNonceExhausted.
//     Stored bytes are nonce(12) | ciphertext | tag(16).
//   - Open tries the current key, then each decrypt-only key in order, with the same
//     AAD. Only an authentication failure moves to the next key. A reader builds the AAD
//     from its own configuration and must never retry with another AAD: any failure to
//     open is an error, never a miss and never a wrong value.
//   - Errors are *Error values wrapping one sentinel (ErrAuthentication,
//     ErrCiphertextTooShort, ErrInvalidMasterKey, ...), grouped by Kind. No error and
//     no formatted Keyring contains key material.
//
// # Example
//
//	key, err := encryption.ParseMasterKey(os.Getenv("CACHEKIT_MASTER_KEY"))
//	if err != nil { ... }
//	kr, err := encryption.NewKeyring(key, nil, encryption.DefaultTenant)
//	if err != nil { ... }
//	aad := encryption.AAD(kr.Tenant(), "myapp:user:42", encryption.FormatMsgpack, false)
//	sealed, err := kr.Seal(msgpackBytes, aad)
//	...
//	plain, keyIndex, err := kr.Open(sealed, aad)
//
// The byte layouts are those of spec/encryption.md in the cachekit-io/protocol
// repository; the published vectors in testdata/vectors/encryption.json pin them.
package encryption
