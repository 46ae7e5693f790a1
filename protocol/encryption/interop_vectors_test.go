package encryption

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

type interopFile struct {
	AADVectors        []interopAADVector    `json:"aad_vectors"`
	EncryptionVectors []interopSealedVector `json:"encryption_vectors"`
}

type interopAADVector struct {
	Name       string `json:"name"`
	TenantID   string `json:"tenant_id"`
	CacheKey   string `json:"cache_key"`
	Format     string `json:"format"`
	Compressed bool   `json:"compressed"`
	AADHex     string `json:"aad_hex"`
}

func (v interopAADVector) name() string { return v.Name }

type interopSealedVector struct {
	sealedVector
	MasterKeyHex          string `json:"master_key_hex"`
	TenantID              string `json:"tenant_id"`
	DerivedFingerprintHex string `json:"derived_key_fingerprint_hex"`
	NonceHex              string `json:"nonce_hex"`
}

func TestInteropVectorsAAD(t *testing.T) {
	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	vectortest.Each(t, "interop-mode.json", "aad_vectors", f.AADVectors, interopAADVector.name, func(t *testing.T, v interopAADVector) {
		want := vectortest.MustHex(t, v.AADHex)
		if got := AAD(v.TenantID, v.CacheKey, v.Format, v.Compressed); !bytes.Equal(got, want) {
			t.Fatalf("AAD = %x, want %x", got, want)
		}
	})
}

func TestInteropVectorsEncryption(t *testing.T) {
	var f interopFile
	vectortest.Load(t, "interop-mode.json", &f)
	vectortest.Each(t, "interop-mode.json", "encryption_vectors", f.EncryptionVectors, interopSealedVector.name, func(t *testing.T, v interopSealedVector) {
		kr := mustKeyring(t, v.TenantID, v.MasterKeyHex)
		if fp := kr.Fingerprints()[0]; hex.EncodeToString(fp[:]) != v.DerivedFingerprintHex {
			t.Errorf("fingerprint %x, want %s", fp, v.DerivedFingerprintHex)
		}
		ct := vectortest.MustHex(t, v.CiphertextHex)
		nonce := vectortest.MustHex(t, v.NonceHex)
		if !bytes.Equal(ct[:NonceSize], nonce) {
			t.Fatalf("vector's ciphertext does not start with its nonce")
		}
		// checkSealedVector seals with the ciphertext's first 12 bytes, which are
		// nonce_hex, and compares every byte.
		checkSealedVector(t, kr, v.sealedVector, 0)
	})
}

type pythonFrameFile struct {
	EncryptedReader struct {
		MasterKeyHex string `json:"master_key_hex"`
		TenantID     string `json:"tenant_id"`
		CacheKey     string `json:"cache_key"`
	} `json:"encrypted_reader"`
	EncryptedReadVectors []encryptedReadVector `json:"encrypted_read_vectors"`
}

type encryptedReadVector struct {
	Name           string `json:"name"`
	FrameHex       string `json:"frame_hex"`
	PayloadHex     string `json:"expected_payload_hex"`
	HeaderClaims   string `json:"header_claims"`
	Outcome        string `json:"outcome"`
	ExpectedHeader struct {
		M struct {
			Format         string `json:"format"`
			Compressed     bool   `json:"compressed"`
			OriginalType   string `json:"original_type"`
			TenantID       string `json:"tenant_id"`
			KeyFingerprint string `json:"key_fingerprint"`
		} `json:"m"`
	} `json:"expected_header"`
}

func (v encryptedReadVector) name() string { return v.Name }

// TestPythonFrameEncryptedReads proves what this layer can of python-frame.json's
// encrypted reads, which must all fail closed. A Go Secure reader never decodes a CK
// frame: the client refuses the frame itself. What this test pins is that even a
// reader that did not, and handed the stored bytes (or the frame's payload) to Open with
// any AAD Go builds for the reader's tenant and key, gets ErrAuthentication for every
// row: Go's four-component AAD never matches cachekit-py's five-component one, and
// the rows that would fail under any AAD (other key, other tenant, no ciphertext at all)
// fail under cachekit-py's own AAD too.
func TestPythonFrameEncryptedReads(t *testing.T) {
	var f pythonFrameFile
	vectortest.Load(t, "python-frame.json", &f)
	r := f.EncryptedReader
	kr := mustKeyring(t, r.TenantID, r.MasterKeyHex)
	readerFP := kr.Fingerprints()[0]
	goAADs := [][]byte{
		AAD(r.TenantID, r.CacheKey, FormatMsgpack, false),
		AAD(r.TenantID, r.CacheKey, FormatMsgpack, true),
	}
	vectortest.Each(t, "python-frame.json", "encrypted_read_vectors", f.EncryptedReadVectors, encryptedReadVector.name, func(t *testing.T, v encryptedReadVector) {
		if v.Outcome != "fail_closed" {
			t.Fatalf("outcome %q: this test only knows fail_closed", v.Outcome)
		}
		frame := vectortest.MustHex(t, v.FrameHex)
		payload := vectortest.MustHex(t, v.PayloadHex)
		if !bytes.HasSuffix(frame, payload) {
			t.Fatalf("frame does not end with its payload")
		}
		for _, in := range [][]byte{frame, payload} {
			for _, aad := range goAADs {
				if pt, _, err := kr.Open(in, aad); !errors.Is(err, ErrAuthentication) || pt != nil {
					t.Errorf("Open(%d bytes) with a Go AAD = %x, %v; want ErrAuthentication", len(in), pt, err)
				}
			}
		}
		m := v.ExpectedHeader.M
		// cachekit-py's AAD as the header describes it, with the reader's own tenant.
		pyAAD := buildAAD(r.TenantID, r.CacheKey, m.Format, compressedToken(m.Compressed), m.OriginalType)
		_, _, pyErr := kr.Open(payload, pyAAD)
		switch v.Name {
		case "forged_plaintext_encrypted_false", "forged_plaintext_orjson",
			"ciphertext_key_not_in_keyring", "ciphertext_other_tenant":
			// Not authentic under the reader's key and tenant whatever the AAD:
			// fail-closed is proven here.
			if !errors.Is(pyErr, ErrAuthentication) {
				t.Errorf("Open with cachekit-py's AAD = %v, want ErrAuthentication", pyErr)
			}
		default:
			// Authentic under cachekit-py's AAD: refusing it is the client's job
			// (CK frames are refused; the container is the configured one).
			if pyErr != nil {
				t.Errorf("Open with cachekit-py's AAD = %v; the vector says it authenticates", pyErr)
			}
		}
		switch v.Name {
		case "ciphertext_key_not_in_keyring":
			if got := hex.EncodeToString(readerFP[:]); got == m.KeyFingerprint {
				t.Errorf("reader fingerprint %s equals the frame's, which names another key", got)
			}
		case "ciphertext_other_tenant":
			// The frame's fingerprint is the reader's key under the other tenant, and
			// under that tenant the payload authenticates: the reader fails only because
			// it resolves its own tenant instead of trusting the header.
			other := mustKeyring(t, m.TenantID, r.MasterKeyHex)
			if fp := other.Fingerprints()[0]; hex.EncodeToString(fp[:]) != m.KeyFingerprint {
				t.Errorf("other tenant's fingerprint %x, header says %s", fp, m.KeyFingerprint)
			}
			otherAAD := buildAAD(m.TenantID, r.CacheKey, m.Format, compressedToken(m.Compressed), m.OriginalType)
			if _, _, err := other.Open(payload, otherAAD); err != nil {
				t.Errorf("payload under the header's tenant: %v, want it to authenticate", err)
			}
		default:
			if v.HeaderClaims == "ciphertext" && m.KeyFingerprint != hex.EncodeToString(readerFP[:]) {
				t.Errorf("frame fingerprint %s, reader's %x", m.KeyFingerprint, readerFP)
			}
		}
	})
}
