package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"strconv"
)

const (
	// NonceSize is the length of the nonce at the start of a sealed value.
	NonceSize = 12
	// TagSize is the length of the AES-GCM tag at the end of a sealed value.
	TagSize = 16
	// Overhead is how much longer a sealed value is than its plaintext, and so the
	// shortest valid sealed value.
	Overhead = NonceSize + TagSize
	// MaxPreviousKeys is how many decrypt-only master keys a keyring may hold.
	MaxPreviousKeys = 3
)

// maxPlaintextSize is AES-GCM's limit, (2^32 - 2) blocks of 16 bytes; crypto/cipher
// panics above it, so Seal checks first.
const maxPlaintextSize = (1<<32 - 2) * 16

const opLoadKeyring = "load keyring"

// Keyring seals values under the current master key's derived tenant key and opens
// values sealed under the current key or any of up to MaxPreviousKeys decrypt-only
// keys. Keys are derived (HKDF-SHA256) and their AES-GCM ciphers built once, in
// NewKeyring; the master keys themselves are not retained.
//
// A Keyring is safe for concurrent use. Seal takes each nonce from an atomic counter, so
// one Keyring seals at most 2^32 values; build it once per client, not per operation.
// Formatting a Keyring (%v, %+v, %#v, String) shows its tenant, key count and the
// fingerprint of its current key, never key material.
type Keyring struct {
	tenant string
	keys   []*ringKey     // keys[0] is the current key, then the decrypt-only keys in order
	nonces *nonceSequence // nonces of keys[0]
}

// ringKey is one keyring entry: its AES-256-GCM cipher and its fingerprint.
type ringKey struct {
	aead        cipher.AEAD
	fingerprint [FingerprintSize]byte
}

// NewKeyring derives tenant's encryption key from the current master key and from each
// decrypt-only key in previous, and returns a keyring that seals with the current key
// and opens with any of them, current first. Keys are master-key bytes as ParseMasterKey
// (hex input) or MasterKeyFromBytes (raw input) return them, at least MinMasterKeySize
// bytes each; NewKeyring does not keep them.
//
// The configuration is refused, before anything is read, when a key is shorter than
// MinMasterKeySize (ErrInvalidMasterKey), when previous holds more than MaxPreviousKeys
// keys (ErrTooManyKeys: never truncated), when the current key appears in previous or
// a decrypt-only key appears twice (ErrDuplicateKey: keys are compared as bytes), and
// when tenant is empty, longer than MaxTenantSize bytes or not UTF-8 (ErrInvalidTenant).
// With no tenant configured, pass DefaultTenant.
func NewKeyring(current []byte, previous [][]byte, tenant string) (*Keyring, error) {
	if err := validateTenant(opLoadKeyring, tenant); err != nil {
		return nil, err
	}
	if len(previous) > MaxPreviousKeys {
		return nil, configError(opLoadKeyring, "", strconv.Itoa(len(previous))+
			" decrypt-only keys were given", ErrTooManyKeys)
	}
	all := make([][]byte, 0, 1+len(previous))
	all = append(all, current)
	all = append(all, previous...)
	for i, key := range all {
		if err := validateMasterKeyBytes(opLoadKeyring, keyPosition(i), key); err != nil {
			return nil, err
		}
		for j := range i {
			if len(all[j]) == len(key) && subtle.ConstantTimeCompare(all[j], key) == 1 {
				return nil, configError(opLoadKeyring, keyPosition(i), "it is the same key as the "+
					keyPosition(j), ErrDuplicateKey)
			}
		}
	}
	k := &Keyring{tenant: tenant, keys: make([]*ringKey, len(all)), nonces: newNonceSequence()}
	for i, master := range all {
		rk, err := newRingKey(master, tenant)
		if err != nil {
			return nil, err
		}
		k.keys[i] = rk
	}
	return k, nil
}

// keyPosition names keyring entry i for error messages.
func keyPosition(i int) string {
	if i == 0 {
		return "current master key"
	}
	return "decrypt-only master key " + strconv.Itoa(i)
}

// newRingKey derives the tenant's encryption key and builds its cipher. The derived
// key bytes are cleared once the cipher holds its own expanded copy.
func newRingKey(master []byte, tenant string) (*ringKey, error) {
	key, err := deriveKey(master, domainEncryption, tenant)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil { // unreachable: the key is always 32 bytes
		return nil, configError(opLoadKeyring, "", "AES refused the derived key", ErrInvalidMasterKey)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil { // unreachable: standard nonce and tag sizes
		return nil, configError(opLoadKeyring, "", "GCM could not be set up", ErrInvalidMasterKey)
	}
	return &ringKey{aead: aead, fingerprint: fingerprintOf(key)}, nil
}

// Tenant returns the tenant the keyring's keys were derived for.
func (k *Keyring) Tenant() string { return k.tenant }

// Fingerprints returns the fingerprint of each key, indexed like Open's keyIndex:
// 0 is the current key, then the decrypt-only keys in order.
func (k *Keyring) Fingerprints() [][FingerprintSize]byte {
	fps := make([][FingerprintSize]byte, len(k.keys))
	for i, rk := range k.keys {
		fps[i] = rk.fingerprint
	}
	return fps
}

// Seal encrypts plaintext with the current key, binding it to aad (build it with AAD),
// and returns nonce(12) | ciphertext | tag(16), a new slice Overhead bytes longer than
// plaintext. It fails with ErrNonceExhausted after 2^32 values and with
// ErrPlaintextTooLarge above AES-GCM's limit. Safe for concurrent use.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	if err := checkPlaintextSize(len(plaintext)); err != nil {
		return nil, err
	}
	var nonce [NonceSize]byte
	if err := k.nonces.fill(&nonce); err != nil {
		return nil, err
	}
	return k.sealWithNonce(nonce[:], plaintext, aad), nil
}

// checkPlaintextSize refuses plaintexts above AES-GCM's limit.
func checkPlaintextSize(n int) error {
	if uint64(n) > maxPlaintextSize {
		return &Error{Kind: KindStructural, Op: "seal", Detail: "more than 64 GiB", Err: ErrPlaintextTooLarge}
	}
	return nil
}

// sealWithNonce seals with a caller-chosen nonce. Only Seal (with a fresh counter
// nonce) and tests that reproduce published vectors call it: a chosen nonce used twice
// breaks AES-GCM.
func (k *Keyring) sealWithNonce(nonce, plaintext, aad []byte) []byte {
	out := make([]byte, NonceSize, Overhead+len(plaintext))
	copy(out, nonce)
	return k.keys[0].aead.Seal(out, out[:NonceSize], plaintext, aad)
}

// Open authenticates and decrypts a value sealed by Seal (or by any SDK's AES-256-GCM
// with the same derived key and AAD). It tries the current key, then each decrypt-only
// key in order, all with the same aad, and returns the plaintext and the index of the
// key that opened it (0 = current, i = previous[i-1]). A value shorter than Overhead is
// a structural error (ErrCiphertextTooShort) and tries no key; a value no key
// authenticates is ErrAuthentication. On error the plaintext is nil and keyIndex is -1.
func (k *Keyring) Open(ciphertext, aad []byte) (plaintext []byte, keyIndex int, err error) {
	if len(ciphertext) < Overhead {
		return nil, -1, &Error{Kind: KindStructural, Op: "open",
			Detail: strconv.Itoa(len(ciphertext)) + " bytes", Err: ErrCiphertextTooShort}
	}
	nonce, sealed := ciphertext[:NonceSize], ciphertext[NonceSize:]
	// One buffer for every attempt: a failed Open leaves nothing in it.
	buf := make([]byte, 0, len(sealed)-TagSize)
	for i, rk := range k.keys {
		// With the fixed nonce and tag sizes, a GCM Open error is always an
		// authentication failure, the one failure that moves on to the next key.
		if pt, err := rk.aead.Open(buf, nonce, sealed, aad); err == nil {
			return pt, i, nil
		}
	}
	return nil, -1, &Error{Kind: KindAuthentication, Op: "open",
		Detail: "no key of the keyring (" + strconv.Itoa(len(k.keys)) + ") authenticates it with this AAD",
		Err:    ErrAuthentication}
}
