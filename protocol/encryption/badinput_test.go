package encryption

import (
	"errors"
	"strings"
	"testing"
)

// TestFingerprintRefusesBadInput: Fingerprint applies the rules NewKeyring applies,
// and its errors are configuration errors that never quote the key.
func TestFingerprintRefusesBadInput(t *testing.T) {
	t.Parallel()
	short := keyOf(0x7e)[:MinMasterKeySize-1]
	tests := []struct {
		name   string
		key    []byte
		tenant string
		want   error
	}{
		{"key one byte short", short, DefaultTenant, ErrInvalidMasterKey},
		{"nil key", nil, DefaultTenant, ErrInvalidMasterKey},
		{"empty tenant", keyOf(0x7e), "", ErrInvalidTenant},
		{"tenant not UTF-8", keyOf(0x7e), "t\xff", ErrInvalidTenant},
		{"tenant too long", keyOf(0x7e), strings.Repeat("t", MaxTenantSize+1), ErrInvalidTenant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fp, err := Fingerprint(tt.key, tt.tenant)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fingerprint error = %v, want %v", err, tt.want)
			}
			if fp != ([FingerprintSize]byte{}) {
				t.Fatalf("Fingerprint returned %x with an error", fp)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindConfiguration || e.Op != "fingerprint" {
				t.Fatalf("error %#v, want a configuration *Error of op fingerprint", err)
			}
			assertNoKeyBytes(t, err.Error(), tt.key)
		})
	}
}

// TestOpenWithTheWrongKeyOrTenant: a value sealed under one master key and tenant is
// an authentication failure under any other, with no plaintext and no key index.
func TestOpenWithTheWrongKeyOrTenant(t *testing.T) {
	t.Parallel()
	sealer, err := NewKeyring(keyOf(1), nil, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	aad := AAD("tenant-a", "k", FormatMsgpack, false)
	sealed, err := sealer.Seal([]byte("secret payload"), aad)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		current []byte
		tenant  string
	}{
		{"other master key", keyOf(2), "tenant-a"},
		{"other tenant", keyOf(1), "tenant-b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opener, err := NewKeyring(tt.current, nil, tt.tenant)
			if err != nil {
				t.Fatal(err)
			}
			pt, idx, err := opener.Open(sealed, aad)
			if pt != nil || idx != -1 || !errors.Is(err, ErrAuthentication) {
				t.Fatalf("Open = %q, %d, %v; want ErrAuthentication", pt, idx, err)
			}
			if k, _ := KindOf(err); k != KindAuthentication {
				t.Fatalf("kind %v, want authentication", k)
			}
			if strings.Contains(err.Error(), "secret payload") {
				t.Fatalf("message %q quotes the plaintext", err)
			}
		})
	}
	// The sealer itself still opens it: the failures above are the key's, not the value's.
	if pt, idx, err := sealer.Open(sealed, aad); err != nil || idx != 0 || string(pt) != "secret payload" {
		t.Fatalf("Open by the sealer = %q, %d, %v", pt, idx, err)
	}
}

// TestGoStringHidesKeys: GoString, called directly rather than through fmt, is String.
func TestGoStringHidesKeys(t *testing.T) {
	t.Parallel()
	current := keyOf(0x3d)
	kr, err := NewKeyring(current, nil, DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	got := kr.GoString()
	if got != kr.String() {
		t.Fatalf("GoString = %q, String = %q", got, kr.String())
	}
	assertNoKeyBytes(t, got, current)
}
