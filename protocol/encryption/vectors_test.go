package encryption

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

// sealedVector is the shape shared by every sealed row of encryption.json.
type sealedVector struct {
	Name          string `json:"name"`
	PlaintextHex  string `json:"plaintext_hex"`
	CacheKey      string `json:"cache_key"`
	Format        string `json:"format"`
	Compressed    bool   `json:"compressed"`
	OriginalType  string `json:"original_type"`
	AADHex        string `json:"aad_hex"`
	CiphertextHex string `json:"ciphertext_hex"`
}

// name names a vector's subtest (for vectortest.Each); the rows that embed a
// sealedVector inherit it.
func (v sealedVector) name() string { return v.Name }

type keyringVector struct {
	sealedVector
	EncryptedWith     string `json:"encrypted_with"`
	KeyFingerprintHex string `json:"key_fingerprint_hex"`
}

type keyringConfigVector struct {
	Name        string   `json:"name"`
	CurrentHex  string   `json:"current_master_key_hex"`
	PreviousHex []string `json:"decrypt_only_master_keys_hex"`
	Verdict     string   `json:"verdict"`
}

type aadRejectVector struct {
	sealedVector
	SealedAs string `json:"sealed_as"`
}

type containerVector struct {
	sealedVector
	Reader  string `json:"reader"`
	Outcome string `json:"outcome"`
}

type masterKeyAcceptVector struct {
	sealedVector
	MasterKeyHex          string `json:"master_key_hex"`
	DerivedFingerprintHex string `json:"derived_key_fingerprint_hex"`
}

type masterKeyRejectVector struct {
	Name         string `json:"name"`
	MasterKeyHex string `json:"master_key_hex"`
}

type rawKeyRejectVector struct {
	Name      string `json:"name"`
	RawKeyHex string `json:"raw_key_hex"`
}

func (v keyringConfigVector) name() string   { return v.Name }
func (v masterKeyRejectVector) name() string { return v.Name }
func (v rawKeyRejectVector) name() string    { return v.Name }

type encryptionFile struct {
	MasterKeyHex          string `json:"master_key_hex"`
	TenantID              string `json:"tenant_id"`
	DerivedFingerprintHex string `json:"derived_key_fingerprint_hex"`
	Keyring               struct {
		TenantID string `json:"tenant_id"`
		Entries  []struct {
			ID                    string `json:"id"`
			MasterKeyHex          string `json:"master_key_hex"`
			DerivedFingerprintHex string `json:"derived_key_fingerprint_hex"`
		} `json:"entries"`
		Vectors       []keyringVector `json:"vectors"`
		Configuration struct {
			Vectors []keyringConfigVector `json:"vectors"`
		} `json:"configuration"`
	} `json:"keyring"`
	Vectors            []sealedVector    `json:"vectors"`
	AADRejectVectors   []aadRejectVector `json:"aad_reject_vectors"`
	DecryptedContainer struct {
		Vectors []containerVector `json:"vectors"`
	} `json:"decrypted_container"`
	DefaultTenant struct {
		TenantID              string         `json:"tenant_id"`
		DerivedFingerprintHex string         `json:"derived_key_fingerprint_hex"`
		Vectors               []sealedVector `json:"vectors"`
	} `json:"default_tenant"`
	MasterKeyInput struct {
		TenantID         string                  `json:"tenant_id"`
		AcceptVectors    []masterKeyAcceptVector `json:"accept_vectors"`
		RejectVectors    []masterKeyRejectVector `json:"reject_vectors"`
		RawRejectVectors []rawKeyRejectVector    `json:"raw_reject_vectors"`
	} `json:"master_key_input"`
}

func loadEncryptionVectors(t *testing.T) encryptionFile {
	t.Helper()
	var f encryptionFile
	vectortest.Load(t, "encryption.json", &f)
	return f
}

// vectorAAD builds a row's AAD through the package: AAD for the four components Go
// writes, and buildAAD with cachekit-py's fifth component where the row has one.
func vectorAAD(tenant string, v sealedVector) []byte {
	if v.OriginalType == "" {
		return AAD(tenant, v.CacheKey, v.Format, v.Compressed)
	}
	return buildAAD(tenant, v.CacheKey, v.Format, compressedToken(v.Compressed), v.OriginalType)
}

// mustKeyring parses hex master keys through ParseMasterKey and loads them.
func mustKeyring(t *testing.T, tenant, currentHex string, previousHex ...string) *Keyring {
	t.Helper()
	current, err := ParseMasterKey(currentHex)
	if err != nil {
		t.Fatalf("ParseMasterKey(current): %v", err)
	}
	var previous [][]byte
	for _, h := range previousHex {
		p, err := ParseMasterKey(h)
		if err != nil {
			t.Fatalf("ParseMasterKey(previous): %v", err)
		}
		previous = append(previous, p)
	}
	kr, err := NewKeyring(current, previous, tenant)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return kr
}

// checkSealedVector proves one sealed row: the AAD bytes, Open to the plaintext with
// the expected key index, and Seal with the row's nonce reproducing the ciphertext.
func checkSealedVector(t *testing.T, kr *Keyring, v sealedVector, wantIndex int) {
	t.Helper()
	wantAAD := vectortest.MustHex(t, v.AADHex)
	ct := vectortest.MustHex(t, v.CiphertextHex)
	pt := vectortest.MustHex(t, v.PlaintextHex)
	if got := vectorAAD(kr.Tenant(), v); !bytes.Equal(got, wantAAD) {
		t.Errorf("AAD = %x, want %x", got, wantAAD)
	}
	got, idx, err := kr.Open(ct, wantAAD)
	if err != nil || !bytes.Equal(got, pt) || idx != wantIndex {
		t.Errorf("Open = %x, %d, %v; want %x, %d, nil", got, idx, err, pt, wantIndex)
	}
	if wantIndex == 0 {
		if sealed := kr.sealWithNonce(ct[:NonceSize], pt, wantAAD); !bytes.Equal(sealed, ct) {
			t.Errorf("sealing with the vector's nonce = %x, want %x", sealed, ct)
		}
	}
}

func TestVectorsFingerprint(t *testing.T) {
	f := loadEncryptionVectors(t)
	type fingerprintCase struct{ name, keyHex, tenant, want string }
	cases := []fingerprintCase{
		{"derived_key_fingerprint", f.MasterKeyHex, f.TenantID, f.DerivedFingerprintHex},
		{"default_tenant", f.MasterKeyHex, f.DefaultTenant.TenantID, f.DefaultTenant.DerivedFingerprintHex},
	}
	for _, e := range f.Keyring.Entries {
		cases = append(cases, fingerprintCase{"keyring_" + e.ID, e.MasterKeyHex, f.Keyring.TenantID, e.DerivedFingerprintHex})
	}
	caseName := func(c fingerprintCase) string { return c.name }
	vectortest.Each(t, "encryption.json", "fingerprint", cases, caseName, func(t *testing.T, c fingerprintCase) {
		key, err := ParseMasterKey(c.keyHex)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := Fingerprint(key, c.tenant)
		if err != nil || hex.EncodeToString(fp[:]) != c.want {
			t.Fatalf("Fingerprint = %x, %v; want %s", fp, err, c.want)
		}
		kr := mustKeyring(t, c.tenant, c.keyHex)
		if got := kr.Fingerprints()[0]; hex.EncodeToString(got[:]) != c.want {
			t.Fatalf("Keyring fingerprint = %x, want %s", got, c.want)
		}
	})
}

func TestVectorsSealed(t *testing.T) {
	f := loadEncryptionVectors(t)
	kr := mustKeyring(t, f.TenantID, f.MasterKeyHex)
	vectortest.Each(t, "encryption.json", "vectors", f.Vectors, sealedVector.name, func(t *testing.T, v sealedVector) {
		checkSealedVector(t, kr, v, 0)
	})
}

func TestVectorsAADReject(t *testing.T) {
	f := loadEncryptionVectors(t)
	kr := mustKeyring(t, f.TenantID, f.MasterKeyHex)
	sealed := map[string]sealedVector{}
	for _, v := range f.Vectors {
		sealed[v.Name] = v
	}
	vectortest.Each(t, "encryption.json", "aad_reject_vectors", f.AADRejectVectors, aadRejectVector.name, func(t *testing.T, v aadRejectVector) {
		aad := vectortest.MustHex(t, v.AADHex)
		if got := vectorAAD(kr.Tenant(), v.sealedVector); !bytes.Equal(got, aad) {
			t.Fatalf("AAD = %x, want %x", got, aad)
		}
		orig, ok := sealed[v.SealedAs]
		if !ok || orig.CiphertextHex != v.CiphertextHex {
			t.Fatalf("sealed_as %q is not the row this ciphertext came from", v.SealedAs)
		}
		pt, idx, err := kr.Open(vectortest.MustHex(t, v.CiphertextHex), aad)
		if !errors.Is(err, ErrAuthentication) || pt != nil || idx != -1 {
			t.Fatalf("Open = %x, %d, %v; want ErrAuthentication", pt, idx, err)
		}
		if k, _ := KindOf(err); k != KindAuthentication {
			t.Fatalf("KindOf = %v, want authentication", k)
		}
	})
}

// TestVectorsDecryptedContainer proves this layer's part of the decrypted_container
// rows: each opens under exactly its reader's AAD to the plaintext as sealed, with no
// unwrapping, and under no other of the AADs Go builds for that key. Refusing the
// container (outcome error / not_unwrapped) is the codec's and envelope's job.
func TestVectorsDecryptedContainer(t *testing.T) {
	f := loadEncryptionVectors(t)
	kr := mustKeyring(t, f.TenantID, f.MasterKeyHex)
	vectortest.Each(t, "encryption.json", "decrypted_container", f.DecryptedContainer.Vectors, containerVector.name, func(t *testing.T, v containerVector) {
		checkSealedVector(t, kr, v.sealedVector, 0)
		ct := vectortest.MustHex(t, v.CiphertextHex)
		if v.OriginalType != "" {
			// cachekit-py's readers: a Go reader's four-component AAD must not open it.
			for _, c := range []bool{false, true} {
				if _, _, err := kr.Open(ct, AAD(kr.Tenant(), v.CacheKey, v.Format, c)); !errors.Is(err, ErrAuthentication) {
					t.Errorf("Open with Go's AAD (compressed %v) = %v, want ErrAuthentication", c, err)
				}
			}
		} else {
			other := AAD(kr.Tenant(), v.CacheKey, v.Format, !v.Compressed)
			if _, _, err := kr.Open(ct, other); !errors.Is(err, ErrAuthentication) {
				t.Errorf("Open with the other compressed token = %v, want ErrAuthentication", err)
			}
		}
	})
}

func TestVectorsDefaultTenant(t *testing.T) {
	f := loadEncryptionVectors(t)
	if f.DefaultTenant.TenantID != DefaultTenant {
		t.Fatalf("vector tenant %q, DefaultTenant %q", f.DefaultTenant.TenantID, DefaultTenant)
	}
	kr := mustKeyring(t, DefaultTenant, f.MasterKeyHex)
	vectortest.Each(t, "encryption.json", "default_tenant", f.DefaultTenant.Vectors, sealedVector.name, func(t *testing.T, v sealedVector) {
		checkSealedVector(t, kr, v, 0)
	})
}

func TestVectorsKeyring(t *testing.T) {
	f := loadEncryptionVectors(t)
	entries := map[string]string{}
	for _, e := range f.Keyring.Entries {
		entries[e.ID] = e.MasterKeyHex
	}
	tenant := f.Keyring.TenantID
	vectortest.Each(t, "encryption.json", "keyring.vectors", f.Keyring.Vectors, keyringVector.name, func(t *testing.T, v keyringVector) {
		own := entries[v.EncryptedWith]
		var other string
		for id, h := range entries {
			if id != v.EncryptedWith {
				other = h
			}
		}
		// The writing key as current: AAD, Open (index 0), Seal with its nonce.
		kr := mustKeyring(t, tenant, own)
		checkSealedVector(t, kr, v.sealedVector, 0)
		if fp := kr.Fingerprints()[0]; hex.EncodeToString(fp[:]) != v.KeyFingerprintHex {
			t.Errorf("fingerprint %x, want %s", fp, v.KeyFingerprintHex)
		}
		// The writing key as decrypt-only behind the other one: index 1.
		rotated := mustKeyring(t, tenant, other, own)
		checkSealedVector(t, rotated, v.sealedVector, 1)
		// Without the writing key: authentication failure.
		without := mustKeyring(t, tenant, other)
		ct, aad := vectortest.MustHex(t, v.CiphertextHex), vectortest.MustHex(t, v.AADHex)
		if _, _, err := without.Open(ct, aad); !errors.Is(err, ErrAuthentication) {
			t.Errorf("Open without the writing key = %v, want ErrAuthentication", err)
		}
	})
}

func TestVectorsKeyringConfiguration(t *testing.T) {
	f := loadEncryptionVectors(t)
	vectortest.Each(t, "encryption.json", "keyring.configuration", f.Keyring.Configuration.Vectors, keyringConfigVector.name, func(t *testing.T, v keyringConfigVector) {
		err := loadKeyringFromHex(v.CurrentHex, v.PreviousHex, f.Keyring.TenantID)
		asVerdict := v.Verdict == "accept" && err == nil ||
			v.Verdict == "reject" && (errors.Is(err, ErrTooManyKeys) || errors.Is(err, ErrDuplicateKey))
		if !asVerdict {
			t.Fatalf("verdict %s, got %v", v.Verdict, err)
		}
	})
}

// loadKeyringFromHex loads a keyring configuration the way a client reads
// CACHEKIT_MASTER_KEY and CACHEKIT_PREVIOUS_MASTER_KEYS.
func loadKeyringFromHex(currentHex string, previousHex []string, tenant string) error {
	current, err := ParseMasterKey(currentHex)
	if err != nil {
		return err
	}
	previous := make([][]byte, 0, len(previousHex))
	for _, h := range previousHex {
		p, err := ParseMasterKey(h)
		if err != nil {
			return err
		}
		previous = append(previous, p)
	}
	_, err = NewKeyring(current, previous, tenant)
	return err
}

func TestVectorsMasterKeyInput(t *testing.T) {
	f := loadEncryptionVectors(t)
	in := f.MasterKeyInput
	if in.TenantID != DefaultTenant {
		t.Fatalf("vector tenant %q, DefaultTenant %q", in.TenantID, DefaultTenant)
	}
	t.Run("accept_vectors", func(t *testing.T) {
		vectortest.Each(t, "encryption.json", "master_key_input.accept_vectors", in.AcceptVectors, masterKeyAcceptVector.name, func(t *testing.T, v masterKeyAcceptVector) {
			key, err := ParseMasterKey(v.MasterKeyHex)
			if err != nil {
				t.Fatalf("ParseMasterKey: %v", err)
			}
			fp, err := Fingerprint(key, DefaultTenant)
			if err != nil || hex.EncodeToString(fp[:]) != v.DerivedFingerprintHex {
				t.Errorf("Fingerprint = %x, %v; want %s", fp, err, v.DerivedFingerprintHex)
			}
			kr := mustKeyring(t, DefaultTenant, v.MasterKeyHex)
			checkSealedVector(t, kr, v.sealedVector, 0)
			// The raw-bytes entry point takes the decoded 32 bytes and agrees.
			raw, err := MasterKeyFromBytes(key)
			if err != nil || !bytes.Equal(raw, key) {
				t.Errorf("MasterKeyFromBytes(decoded) = %x, %v", raw, err)
			}
		})
	})
	t.Run("reject_vectors", func(t *testing.T) {
		vectortest.Each(t, "encryption.json", "master_key_input.reject_vectors", in.RejectVectors, masterKeyRejectVector.name, func(t *testing.T, v masterKeyRejectVector) {
			key, err := ParseMasterKey(v.MasterKeyHex)
			if !errors.Is(err, ErrInvalidMasterKey) || key != nil {
				t.Fatalf("ParseMasterKey = %x, %v; want ErrInvalidMasterKey", key, err)
			}
			// The keyring's hex path (decrypt-only keys) refuses it too.
			err = loadKeyringFromHex(in.AcceptVectors[0].MasterKeyHex, []string{v.MasterKeyHex}, DefaultTenant)
			if !errors.Is(err, ErrInvalidMasterKey) {
				t.Fatalf("loading it as a decrypt-only key: %v, want ErrInvalidMasterKey", err)
			}
		})
	})
	t.Run("raw_reject_vectors", func(t *testing.T) {
		vectortest.Each(t, "encryption.json", "master_key_input.raw_reject_vectors", in.RawRejectVectors, rawKeyRejectVector.name, func(t *testing.T, v rawKeyRejectVector) {
			raw := vectortest.MustHex(t, v.RawKeyHex)
			key, err := MasterKeyFromBytes(raw)
			if !errors.Is(err, ErrInvalidMasterKey) || key != nil {
				t.Fatalf("MasterKeyFromBytes = %x, %v; want ErrInvalidMasterKey", key, err)
			}
		})
	})
}
