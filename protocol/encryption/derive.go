package encryption

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"unicode/utf8"
)

// DefaultTenant is the tenant every SDK uses when the caller gives none. HKDF and AAD
// must both use the same resolved tenant.
const DefaultTenant = "default"

// MaxTenantSize is the longest tenant, in bytes, that key derivation accepts.
const MaxTenantSize = 1024

// FingerprintSize is the length of a key fingerprint.
const FingerprintSize = 16

// Key-derivation domains. Each tenant gets one independent 32-byte key per domain from
// the same master key. Only domainEncryption is used for data; the others are part of
// the protocol's derivation scheme and are kept so their salts stay pinned by tests.
const (
	domainEncryption     = "encryption"
	domainAuthentication = "authentication"
	domainCacheKeys      = "cache_keys"
)

const (
	saltPrefix        = "cachekit_v1_"
	fingerprintPrefix = "key_fingerprint_v1"
	derivedKeySize    = 32
)

// hkdfSalt builds the length-prefixed salt: "cachekit_v1_" | u8 len(domain) | domain |
// u16 BE len(tenant) | tenant. The prefixes keep (domain "foo", tenant "bar") apart
// from (domain "foob", tenant "ar").
func hkdfSalt(domain, tenant string) []byte {
	salt := make([]byte, 0, len(saltPrefix)+1+len(domain)+2+len(tenant))
	salt = append(salt, saltPrefix...)
	salt = append(salt, byte(len(domain)))
	salt = append(salt, domain...)
	salt = binary.BigEndian.AppendUint16(salt, uint16(len(tenant)))
	return append(salt, tenant...)
}

// validateTenant checks the tenant rules of key derivation.
func validateTenant(op, tenant string) error {
	switch {
	case tenant == "":
		return configError(op, "", "the tenant is empty", ErrInvalidTenant)
	case len(tenant) > MaxTenantSize:
		return configError(op, "", "the tenant is "+strconv.Itoa(len(tenant))+
			" bytes; at most "+strconv.Itoa(MaxTenantSize)+" are allowed", ErrInvalidTenant)
	case !utf8.ValidString(tenant):
		return configError(op, "", "the tenant is not valid UTF-8", ErrInvalidTenant)
	}
	return nil
}

// deriveKey derives the tenant's 32-byte key for one domain with HKDF-SHA256:
// IKM = master key, salt = hkdfSalt(domain, tenant), info = domain. The caller has
// validated the master key and the tenant.
func deriveKey(masterKey []byte, domain, tenant string) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, masterKey, hkdfSalt(domain, tenant), domain, derivedKeySize)
	if err != nil {
		// Only reachable if the standard library refuses the inputs (for example a
		// FIPS-only mode with a policy we do not meet); never quote them.
		return nil, configError("derive key", "", "HKDF-SHA256 refused the input", ErrInvalidMasterKey)
	}
	return key, nil
}

// fingerprintOf is the first 16 bytes of SHA-256("key_fingerprint_v1" | key).
func fingerprintOf(derivedKey []byte) [FingerprintSize]byte {
	h := sha256.New()
	h.Write([]byte(fingerprintPrefix))
	h.Write(derivedKey)
	var sum [sha256.Size]byte
	var fp [FingerprintSize]byte
	copy(fp[:], h.Sum(sum[:0]))
	return fp
}

// Fingerprint identifies the encryption key a master key derives for a tenant without
// revealing it: the first 16 bytes of SHA-256("key_fingerprint_v1" | derived encryption
// key). This is the value cachekit-py records per entry and the value the published
// vectors pin. masterKey must be at least MinMasterKeySize bytes (as ParseMasterKey
// returns it) and tenant must follow the tenant rules of NewKeyring.
func Fingerprint(masterKey []byte, tenant string) ([FingerprintSize]byte, error) {
	const op = "fingerprint"
	if err := validateMasterKeyBytes(op, "", masterKey); err != nil {
		return [FingerprintSize]byte{}, err
	}
	if err := validateTenant(op, tenant); err != nil {
		return [FingerprintSize]byte{}, err
	}
	key, err := deriveKey(masterKey, domainEncryption, tenant)
	if err != nil {
		return [FingerprintSize]byte{}, err
	}
	defer clear(key)
	return fingerprintOf(key), nil
}

// validateMasterKeyBytes checks a decoded master key's length.
func validateMasterKeyBytes(op, which string, key []byte) error {
	if len(key) < MinMasterKeySize {
		return configError(op, which, "the key is "+strconv.Itoa(len(key))+" bytes; at least "+
			strconv.Itoa(MinMasterKeySize)+" are required", ErrInvalidMasterKey)
	}
	return nil
}
