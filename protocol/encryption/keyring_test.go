package encryption

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func keyOf(b byte) []byte { return bytes.Repeat([]byte{b}, MasterKeySize) }

func TestNewKeyringConfiguration(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("t", MaxTenantSize)
	tests := []struct {
		name     string
		current  []byte
		previous [][]byte
		tenant   string
		want     error // nil: accepted
	}{
		{"no_previous", keyOf(1), nil, DefaultTenant, nil},
		{"empty_previous", keyOf(1), [][]byte{}, DefaultTenant, nil},
		{"three_previous", keyOf(1), [][]byte{keyOf(2), keyOf(3), keyOf(4)}, DefaultTenant, nil},
		{"48_byte_keys", bytes.Repeat([]byte{1}, 48), [][]byte{bytes.Repeat([]byte{2}, 48)}, DefaultTenant, nil},
		{"tenant_1024_bytes", keyOf(1), nil, long, nil},
		{"tenant_uuid", keyOf(1), nil, "00000000-0000-4000-8000-00000000000a", nil},
		{"four_previous", keyOf(1), [][]byte{keyOf(2), keyOf(3), keyOf(4), keyOf(5)}, DefaultTenant, ErrTooManyKeys},
		{"ten_previous", keyOf(1), make([][]byte, 10), DefaultTenant, ErrTooManyKeys},
		{"current_first_previous", keyOf(1), [][]byte{keyOf(1)}, DefaultTenant, ErrDuplicateKey},
		{"current_last_previous", keyOf(1), [][]byte{keyOf(2), keyOf(3), keyOf(1)}, DefaultTenant, ErrDuplicateKey},
		{"previous_twice", keyOf(1), [][]byte{keyOf(2), keyOf(2)}, DefaultTenant, ErrDuplicateKey},
		{"nil_current", nil, nil, DefaultTenant, ErrInvalidMasterKey},
		{"current_31_bytes", keyOf(1)[:31], nil, DefaultTenant, ErrInvalidMasterKey},
		{"previous_16_bytes", keyOf(1), [][]byte{keyOf(2)[:16]}, DefaultTenant, ErrInvalidMasterKey},
		{"previous_nil", keyOf(1), [][]byte{nil}, DefaultTenant, ErrInvalidMasterKey},
		{"empty_tenant", keyOf(1), nil, "", ErrInvalidTenant},
		{"tenant_1025_bytes", keyOf(1), nil, long + "t", ErrInvalidTenant},
		{"tenant_not_utf8", keyOf(1), nil, "ten\xffant", ErrInvalidTenant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kr, err := NewKeyring(tt.current, tt.previous, tt.tenant)
			if tt.want == nil {
				if err != nil || kr == nil {
					t.Fatalf("NewKeyring = %v, %v; want a keyring", kr, err)
				}
				if got := len(kr.Fingerprints()); got != 1+len(tt.previous) {
					t.Errorf("%d fingerprints, want %d", got, 1+len(tt.previous))
				}
				return
			}
			if kr != nil || !errors.Is(err, tt.want) {
				t.Fatalf("NewKeyring = %v, %v; want %v", kr, err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindConfiguration {
				t.Fatalf("error %#v is not a configuration *Error", err)
			}
			assertNoKeyBytes(t, err.Error(), append([][]byte{tt.current}, tt.previous...)...)
		})
	}
}

// TestNewKeyringDuplicateNamesPositions checks that the error says which keys clash.
func TestNewKeyringDuplicateNamesPositions(t *testing.T) {
	t.Parallel()
	_, err := NewKeyring(keyOf(1), [][]byte{keyOf(2), keyOf(1)}, DefaultTenant)
	var e *Error
	if !errors.As(err, &e) || e.Key != "decrypt-only master key 2" || !strings.Contains(e.Error(), "current master key") {
		t.Fatalf("error %v does not name decrypt-only key 2 and the current key", err)
	}
}

// TestNewKeyringDoesNotRetainKeys checks that changing the caller's key slices after
// loading changes nothing: the keyring keeps only derived ciphers.
func TestNewKeyringDoesNotRetainKeys(t *testing.T) {
	t.Parallel()
	current, previous := keyOf(7), keyOf(8)
	kr, err := NewKeyring(current, [][]byte{previous}, DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	aad := AAD(DefaultTenant, "k", FormatMsgpack, false)
	sealed, err := kr.Seal([]byte("value"), aad)
	if err != nil {
		t.Fatal(err)
	}
	clear(current)
	clear(previous)
	if pt, idx, err := kr.Open(sealed, aad); err != nil || string(pt) != "value" || idx != 0 {
		t.Fatalf("Open after clearing the caller's keys = %q, %d, %v", pt, idx, err)
	}
}

func TestKeyringFormatHidesKeys(t *testing.T) {
	t.Parallel()
	current, previous := keyOf(0x5c), keyOf(0xc5)
	kr, err := NewKeyring(current, [][]byte{previous}, "tenant-x")
	if err != nil {
		t.Fatal(err)
	}
	var derived [][]byte
	for _, m := range [][]byte{current, previous} {
		for _, d := range []string{domainEncryption, domainAuthentication, domainCacheKeys} {
			k, err := deriveKey(m, d, "tenant-x")
			if err != nil {
				t.Fatal(err)
			}
			derived = append(derived, k)
		}
	}
	fp := kr.Fingerprints()[0]
	value := *kr
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10v"} {
		for _, arg := range []any{kr, value, []any{kr}, struct{ K *Keyring }{kr}, map[string]*Keyring{"k": kr}} {
			out := fmt.Sprintf(verb, arg)
			assertNoKeyBytes(t, out, append([][]byte{current, previous}, derived...)...)
			if strings.Contains(verb, "v") && !strings.Contains(out, hex.EncodeToString(fp[:])) &&
				!strings.Contains(out, "0x") { // nested pointers print as addresses
				t.Errorf("Sprintf(%q) = %q: neither the fingerprint nor an address", verb, out)
			}
		}
	}
	want := `encryption.Keyring{tenant: "tenant-x", previous: 1, current: ` + hex.EncodeToString(fp[:]) + `}`
	if got := kr.String(); got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := fmt.Sprintf("%v", Keyring{}); got != "encryption.Keyring{}" {
		t.Errorf("zero Keyring formats as %q", got)
	}
}

// assertNoKeyBytes fails when s holds any key's bytes, verbatim or in hex of either
// case, or its decimal byte list as %v prints a []byte.
func assertNoKeyBytes(t *testing.T, s string, keys ...[]byte) {
	t.Helper()
	for _, k := range keys {
		if len(k) < 8 {
			continue
		}
		forms := []string{string(k), hex.EncodeToString(k), strings.ToUpper(hex.EncodeToString(k)),
			strings.Trim(fmt.Sprint(k[:8]), "[]"), hex.EncodeToString(k[:8])}
		for _, f := range forms {
			if strings.Contains(s, f) {
				t.Fatalf("output %q contains key material", s)
			}
		}
	}
}

func TestOpenStructuralErrors(t *testing.T) {
	t.Parallel()
	kr, _ := NewKeyring(keyOf(1), nil, DefaultTenant)
	aad := AAD(DefaultTenant, "k", FormatMsgpack, false)
	for n := 0; n < Overhead; n++ {
		pt, idx, err := kr.Open(make([]byte, n), aad)
		if pt != nil || idx != -1 || !errors.Is(err, ErrCiphertextTooShort) {
			t.Fatalf("Open(%d bytes) = %x, %d, %v; want ErrCiphertextTooShort", n, pt, idx, err)
		}
		if k, _ := KindOf(err); k != KindStructural {
			t.Fatalf("Open(%d bytes): kind %v, want structural", n, k)
		}
	}
	pt, idx, err := kr.Open(make([]byte, Overhead), aad)
	if pt != nil || idx != -1 || !errors.Is(err, ErrAuthentication) {
		t.Fatalf("Open(28 zero bytes) = %x, %d, %v; want ErrAuthentication", pt, idx, err)
	}
	if errors.Is(err, ErrCiphertextTooShort) {
		t.Fatal("an authentication failure also matches ErrCiphertextTooShort")
	}
}

func TestSealLayout(t *testing.T) {
	t.Parallel()
	master := keyOf(9)
	kr, _ := NewKeyring(master, nil, DefaultTenant)
	aad := AAD(DefaultTenant, "ns:k", FormatMsgpack, false)
	for i := range 3 {
		pt := bytes.Repeat([]byte{byte(i)}, 10*i)
		sealed, err := kr.Seal(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != len(pt)+Overhead {
			t.Fatalf("sealed %d bytes, want %d", len(sealed), len(pt)+Overhead)
		}
		if got := binary.BigEndian.Uint64(sealed[:8]); got != kr.nonces.instance {
			t.Errorf("instance id %x, want %x", got, kr.nonces.instance)
		}
		if got := binary.BigEndian.Uint32(sealed[8:12]); got != uint32(i) {
			t.Errorf("counter %d, want %d", got, i)
		}
		// An independent AES-256-GCM over the derived key reads it: the layout is
		// nonce | ciphertext | tag with no other framing.
		key, _ := deriveKey(master, domainEncryption, DefaultTenant)
		block, _ := aes.NewCipher(key)
		gcm, _ := cipher.NewGCM(block)
		got, err := gcm.Open(nil, sealed[:12], sealed[12:], aad)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("stdlib GCM Open = %x, %v", got, err)
		}
	}
}

func TestSealNonceExhaustion(t *testing.T) {
	t.Parallel()
	kr, _ := NewKeyring(keyOf(3), nil, DefaultTenant)
	aad := AAD(DefaultTenant, "k", FormatMsgpack, false)
	kr.nonces.next.Store(math.MaxUint32)
	sealed, err := kr.Seal([]byte("last"), aad)
	if err != nil {
		t.Fatalf("Seal with the last counter value: %v", err)
	}
	if got := binary.BigEndian.Uint32(sealed[8:12]); got != math.MaxUint32 {
		t.Fatalf("last counter %x", got)
	}
	for range 3 { // stays exhausted: never wraps to 0
		sealed, err := kr.Seal([]byte("more"), aad)
		if sealed != nil || !errors.Is(err, ErrNonceExhausted) {
			t.Fatalf("Seal past 2^32 = %x, %v; want ErrNonceExhausted", sealed, err)
		}
		if k, _ := KindOf(err); k != KindExhausted {
			t.Fatalf("kind %v, want exhausted", k)
		}
	}
	// Opening still works.
	if pt, _, err := kr.Open(sealed, aad); err != nil || string(pt) != "last" {
		t.Fatalf("Open after exhaustion = %q, %v", pt, err)
	}
}

func TestCheckPlaintextSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    uint64
		fail bool
	}{{0, false}, {1 << 20, false}, {maxPlaintextSize, false}, {maxPlaintextSize + 1, true}, {1 << 40, true}} {
		err := checkPlaintextSize(int(tt.n))
		if got := errors.Is(err, ErrPlaintextTooLarge); got != tt.fail {
			t.Errorf("checkPlaintextSize(%d) = %v", tt.n, err)
		}
	}
}

func TestOpenTriesKeysInOrder(t *testing.T) {
	t.Parallel()
	aad := AAD("t", "k", FormatMsgpack, false)
	keys := [][]byte{keyOf(1), keyOf(2), keyOf(3), keyOf(4)}
	ring, err := NewKeyring(keys[0], keys[1:], "t")
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		writer, _ := NewKeyring(k, nil, "t")
		sealed, _ := writer.Seal([]byte{byte(i)}, aad)
		pt, idx, err := ring.Open(sealed, aad)
		if err != nil || idx != i || !bytes.Equal(pt, []byte{byte(i)}) {
			t.Errorf("value sealed with key %d: Open = %x, %d, %v", i, pt, idx, err)
		}
		if i > 0 && ring.Fingerprints()[i] != writer.Fingerprints()[0] {
			t.Errorf("fingerprint %d does not match the writer's", i)
		}
		// Another tenant derives other keys: nothing opens.
		other, _ := NewKeyring(k, nil, "u")
		if _, _, err := other.Open(sealed, aad); !errors.Is(err, ErrAuthentication) {
			t.Errorf("other tenant opened it: %v", err)
		}
	}
}

func TestHKDFSaltLayout(t *testing.T) {
	t.Parallel()
	// spec/encryption.md's byte-level example: domain "cache", tenant "tenant-123".
	want, _ := hex.DecodeString("63616368656b69745f76315f" + "05" + "6361636865" + "000a" + "74656e616e742d313233")
	if got := hkdfSalt("cache", "tenant-123"); !bytes.Equal(got, want) {
		t.Fatalf("salt = %x, want %x", got, want)
	}
	// The length prefixes keep these two apart.
	if bytes.Equal(hkdfSalt("foo", "bar"), hkdfSalt("foob", "ar")) {
		t.Fatal("salts collide")
	}
}

func TestDomainKeysIndependent(t *testing.T) {
	t.Parallel()
	master := keyOf(0x61)
	seen := map[string]string{hex.EncodeToString(master): "master"}
	for _, tenant := range []string{"default", "cross-sdk-test"} {
		for _, d := range []string{domainEncryption, domainAuthentication, domainCacheKeys} {
			k, err := deriveKey(master, d, tenant)
			if err != nil || len(k) != 32 {
				t.Fatalf("deriveKey(%s, %s) = %x, %v", d, tenant, k, err)
			}
			if prev, dup := seen[hex.EncodeToString(k)]; dup {
				t.Fatalf("%s/%s derives the same key as %s", d, tenant, prev)
			}
			seen[hex.EncodeToString(k)] = d + "/" + tenant
		}
	}
}

func TestAADLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tenant, key, format string
		compressed          bool
		want                string
	}{
		// Built by hand from the layout in spec/encryption.md.
		{"t", "k", "msgpack", false, "03" + "00000001" + "74" + "00000001" + "6b" + "00000007" + "6d73677061636b" + "00000005" + "46616c7365"},
		{"t", "k", "msgpack", true, "03" + "00000001" + "74" + "00000001" + "6b" + "00000007" + "6d73677061636b" + "00000004" + "54727565"},
		{"", "", "", false, "03" + "00000000" + "00000000" + "00000000" + "00000005" + "46616c7365"},
		{"é", "ключ", "msgpack", false, "03" + "00000002" + "c3a9" + "00000008" + "d0bad0bbd18ed187" + "00000007" + "6d73677061636b" + "00000005" + "46616c7365"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(AAD(tt.tenant, tt.key, tt.format, tt.compressed)); got != tt.want {
			t.Errorf("AAD(%q, %q, %q, %v) = %s, want %s", tt.tenant, tt.key, tt.format, tt.compressed, got, tt.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	e := &Error{Kind: KindConfiguration, Op: "load keyring", Key: "decrypt-only master key 2", Detail: "x", Err: ErrDuplicateKey}
	want := "encryption: the keyring holds the same master key twice (load keyring, decrypt-only master key 2: x)"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	for _, s := range []error{ErrInvalidMasterKey, ErrInvalidTenant, ErrTooManyKeys, ErrDuplicateKey,
		ErrCiphertextTooShort, ErrPlaintextTooLarge, ErrAuthentication, ErrNonceExhausted} {
		if !strings.HasPrefix(s.Error(), "encryption: ") {
			t.Errorf("%q lacks the package prefix", s)
		}
	}
	if _, ok := KindOf(errors.New("other")); ok {
		t.Error("KindOf found a kind in a foreign error")
	}
	for k, name := range map[Kind]string{KindConfiguration: "configuration", KindStructural: "structural",
		KindAuthentication: "authentication", KindExhausted: "exhausted", 0: "Kind(0)"} {
		if k.String() != name {
			t.Errorf("Kind(%d).String() = %q", k, k.String())
		}
	}
}
