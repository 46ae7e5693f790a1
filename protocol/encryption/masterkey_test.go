package encryption

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// everyDigitKey is encryption.json's master_key_every_hex_digit accept row.
const everyDigitKey = "007f80ffa55ac33c1ee12dd24bb469968778f00f01102332455467768998abba"

func TestParseMasterKey(t *testing.T) {
	t.Parallel()
	want := []byte{0x00, 0x7f, 0x80, 0xff, 0xa5, 0x5a, 0xc3, 0x3c, 0x1e, 0xe1, 0x2d, 0xd2, 0x4b, 0xb4,
		0x69, 0x96, 0x87, 0x78, 0xf0, 0x0f, 0x01, 0x10, 0x23, 0x32, 0x45, 0x54, 0x67, 0x76, 0x89, 0x98,
		0xab, 0xba}
	tests := []struct {
		name string
		in   string
		want []byte // nil: must be refused
	}{
		{"lowercase_32_bytes", everyDigitKey, want},
		{"uppercase_32_bytes", strings.ToUpper(everyDigitKey), want},
		{"48_bytes", everyDigitKey + everyDigitKey[:32], append(append([]byte(nil), want...), want[:16]...)},
		{"empty", "", nil},
		{"two_digits", "00", nil},
		{"leading_space", " " + everyDigitKey, nil},
		{"trailing_newline", everyDigitKey + "\n", nil},
		{"inner_space", everyDigitKey[:32] + " " + everyDigitKey[32:] + "0", nil},
		{"0x_prefix_64_bytes", "0x" + everyDigitKey + "00", nil},
		{"minus_sign", "-0" + everyDigitKey[2:], nil},
		{"non_ascii", everyDigitKey[:62] + "é", nil},
		{"nul_byte", everyDigitKey[:63] + "\x00", nil},
		{"odd_97_digits", everyDigitKey + everyDigitKey[:33], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMasterKey(tt.in)
			if tt.want != nil {
				if err != nil || !bytes.Equal(got, tt.want) {
					t.Fatalf("ParseMasterKey = %x, %v; want %x", got, err, tt.want)
				}
				return
			}
			if got != nil || !errors.Is(err, ErrInvalidMasterKey) {
				t.Fatalf("ParseMasterKey = %x, %v; want ErrInvalidMasterKey", got, err)
			}
			if k, _ := KindOf(err); k != KindConfiguration {
				t.Errorf("kind %v, want configuration", k)
			}
			assertNoSecret(t, err.Error(), tt.in)
		})
	}
}

func TestMasterKeyFromBytes(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xa5}, MasterKeySize)
	got, err := MasterKeyFromBytes(key)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("MasterKeyFromBytes(32 bytes) = %x, %v", got, err)
	}
	got[0] = 0 // a copy: the caller's slice is untouched
	if key[0] != 0xa5 {
		t.Fatal("MasterKeyFromBytes returned the caller's slice, not a copy")
	}
	for _, n := range []int{0, 1, 16, 24, 31, 33, 48, 64} {
		raw := bytes.Repeat([]byte{'a'}, n)
		if got, err := MasterKeyFromBytes(raw); got != nil || !errors.Is(err, ErrInvalidMasterKey) {
			t.Errorf("MasterKeyFromBytes(%d bytes) = %x, %v; want ErrInvalidMasterKey", n, got, err)
		}
	}
}

// assertNoSecret fails when msg holds secret, or its hex in either case, whenever the
// secret is long enough for a match to mean something.
func assertNoSecret(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		for _, form := range []string{s, strings.ToLower(s), strings.ToUpper(s), strings.TrimSpace(s)} {
			if len(form) >= 8 && strings.Contains(msg, form) {
				t.Fatalf("message %q contains secret material", msg)
			}
		}
		// Any 16-character window of the secret is also too much.
		for i := 0; i+16 <= len(s); i++ {
			if strings.Contains(strings.ToLower(msg), strings.ToLower(s[i:i+16])) {
				t.Fatalf("message %q contains part of a secret", msg)
			}
		}
	}
}
