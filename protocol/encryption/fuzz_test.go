package encryption

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
)

// fuzzKeyring is the keyring FuzzOpen attacks: encryption.json's main key as current
// and its keyring entry k1 as decrypt-only, so the published ciphertexts are seeds.
var fuzzKeyring = sync.OnceValue(func() *Keyring {
	current, _ := ParseMasterKey(strings.Repeat("61", 32))
	previous, _ := ParseMasterKey(strings.Repeat("11", 32))
	kr, err := NewKeyring(current, [][]byte{previous}, "cross-sdk-test")
	if err != nil {
		panic(err)
	}
	return kr
})

// FuzzOpen feeds arbitrary ciphertexts and AADs to Open. It must never panic, must
// classify short input as structural, and must never accept a pair it did not seal: the
// only pairs that may open are the genuine ones registered as seeds.
func FuzzOpen(f *testing.F) {
	kr := fuzzKeyring()
	genuine := map[string]bool{}
	add := func(ct, aad []byte) {
		genuine[string(ct)+"\x00aad\x00"+string(aad)] = true
		f.Add(ct, aad)
	}
	// encryption.json basic_bytes, sealed by another SDK under the current key.
	ct, _ := hex.DecodeString("f8f69c70000000000000000087d9ec09f2c2347a4b37d5330ccf50e3c31e69642801bef5")
	add(ct, AAD("cross-sdk-test", "test:vector:1", FormatMsgpack, false))
	// Fixed nonces, not Seal: the fuzzing engine runs this setup in every worker
	// process, and each must register the same genuine pairs.
	for i, pt := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{0xab}, 100)} {
		aad := AAD("cross-sdk-test", "fuzz:"+string(pt), FormatMsgpack, len(pt)%2 == 0)
		nonce := bytes.Repeat([]byte{byte(0xf0 + i)}, NonceSize)
		add(kr.sealWithNonce(nonce, pt, aad), aad)
	}
	f.Add([]byte{}, []byte{})
	f.Add(make([]byte, Overhead), []byte{3})
	f.Fuzz(func(t *testing.T, ciphertext, aad []byte) {
		pt, idx, err := kr.Open(ciphertext, aad)
		if err == nil {
			if !genuine[string(ciphertext)+"\x00aad\x00"+string(aad)] {
				t.Fatalf("Open accepted a pair nobody sealed: %x / %x -> %x (key %d)", ciphertext, aad, pt, idx)
			}
			if len(pt) != len(ciphertext)-Overhead || idx < 0 || idx > 1 {
				t.Fatalf("Open returned %d bytes, key %d for %d bytes", len(pt), idx, len(ciphertext))
			}
			return
		}
		if pt != nil || idx != -1 {
			t.Fatalf("failed Open returned %x, %d", pt, idx)
		}
		switch {
		case len(ciphertext) < Overhead:
			if !errors.Is(err, ErrCiphertextTooShort) {
				t.Fatalf("%d bytes: %v, want ErrCiphertextTooShort", len(ciphertext), err)
			}
		case !errors.Is(err, ErrAuthentication):
			t.Fatalf("%d bytes: %v, want ErrAuthentication", len(ciphertext), err)
		}
	})
}

// FuzzParseMasterKey checks ParseMasterKey against the rule it implements: accepted
// exactly when the input is an even number (at least 64) of ASCII hex digits, with the
// bytes encoding/hex decodes; refused otherwise with ErrInvalidMasterKey and a message
// that does not quote the input.
func FuzzParseMasterKey(f *testing.F) {
	for _, s := range []string{
		everyDigitKey, strings.ToUpper(everyDigitKey), everyDigitKey + "0", everyDigitKey[:63],
		everyDigitKey[:62] + "gg", "+" + everyDigitKey[1:], everyDigitKey[:62] + "\r\n",
		"0x" + everyDigitKey[:62], "00 7f" + everyDigitKey[4:], "", everyDigitKey + everyDigitKey,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseMasterKey(s)
		isHex := len(s)%2 == 0 && len(s) >= 2*MinMasterKeySize &&
			strings.Trim(s, "0123456789abcdefABCDEF") == ""
		if isHex {
			want, _ := hex.DecodeString(s)
			if err != nil || !bytes.Equal(key, want) {
				t.Fatalf("ParseMasterKey(%q) = %x, %v; want %x", s, key, err, want)
			}
			return
		}
		if err == nil || key != nil || !errors.Is(err, ErrInvalidMasterKey) {
			t.Fatalf("ParseMasterKey(%q) = %x, %v; want ErrInvalidMasterKey", s, key, err)
		}
		if len(s) >= 16 && strings.Contains(err.Error(), s) {
			t.Fatalf("error %q quotes the input", err)
		}
	})
}
