package encryption_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

func Example() {
	// As CACHEKIT_MASTER_KEY holds it (openssl rand -hex 32).
	key, err := encryption.ParseMasterKey(strings.Repeat("61", 32))
	if err != nil {
		panic(err)
	}
	kr, err := encryption.NewKeyring(key, nil, encryption.DefaultTenant)
	if err != nil {
		panic(err)
	}
	aad := encryption.AAD(kr.Tenant(), "myapp:user:42:ssn", encryption.FormatMsgpack, false)
	sealed, err := kr.Seal([]byte("123-45-6789"), aad)
	if err != nil {
		panic(err)
	}
	plain, keyIndex, err := kr.Open(sealed, aad)
	fmt.Println(string(plain), keyIndex, err, len(sealed)-len(plain))

	// The same bytes under another cache key do not authenticate.
	_, _, err = kr.Open(sealed, encryption.AAD(kr.Tenant(), "myapp:user:43:ssn", encryption.FormatMsgpack, false))
	fmt.Println(errors.Is(err, encryption.ErrAuthentication))
	// Output:
	// 123-45-6789 0 <nil> 28
	// true
}

func ExampleNewKeyring_rotation() {
	oldKey, _ := encryption.ParseMasterKey(strings.Repeat("11", 32))
	newKey, _ := encryption.ParseMasterKey(strings.Repeat("22", 32))
	aad := encryption.AAD("default", "myapp:k", encryption.FormatMsgpack, false)

	before, _ := encryption.NewKeyring(oldKey, nil, "default")
	sealed, _ := before.Seal([]byte("written before the rotation"), aad)

	// After the rotation the old key is decrypt-only (CACHEKIT_PREVIOUS_MASTER_KEYS).
	after, _ := encryption.NewKeyring(newKey, [][]byte{oldKey}, "default")
	plain, keyIndex, _ := after.Open(sealed, aad)
	fmt.Printf("%s (key %d)\n", plain, keyIndex)

	// Putting the current key among the decrypt-only keys is refused at load.
	_, err := encryption.NewKeyring(newKey, [][]byte{oldKey, newKey}, "default")
	fmt.Println(errors.Is(err, encryption.ErrDuplicateKey))
	// Output:
	// written before the rotation (key 1)
	// true
}

func ExampleFingerprint() {
	// encryption.json's master key and tenant; the published fingerprint is
	// 96179a9bc881aa7ca83f04b78a66afd3.
	key, _ := encryption.ParseMasterKey(strings.Repeat("61", 32))
	fp, _ := encryption.Fingerprint(key, "cross-sdk-test")
	fmt.Println(hex.EncodeToString(fp[:]))
	// Output: 96179a9bc881aa7ca83f04b78a66afd3
}

func ExampleAAD() {
	// encryption.json's basic_bytes row.
	aad := encryption.AAD("cross-sdk-test", "test:vector:1", encryption.FormatMsgpack, false)
	fmt.Println(hex.EncodeToString(aad))
	// Output: 030000000e63726f73732d73646b2d746573740000000d746573743a766563746f723a31000000076d73677061636b0000000546616c7365
}

func ExampleParseMasterKey() {
	for _, in := range []string{
		strings.Repeat("ab", 32),             // 32 bytes
		strings.Repeat("ab", 31),             // 31 bytes: too short
		" " + strings.Repeat("ab", 32) + " ", // white space is not trimmed
	} {
		key, err := encryption.ParseMasterKey(in)
		fmt.Println(len(key), errors.Is(err, encryption.ErrInvalidMasterKey))
	}
	// Output:
	// 32 false
	// 0 true
	// 0 true
}

func ExampleKeyring_String() {
	key, _ := encryption.ParseMasterKey(strings.Repeat("61", 32))
	kr, _ := encryption.NewKeyring(key, nil, "cross-sdk-test")
	fmt.Printf("%v\n", kr) // never key material
	// Output: encryption.Keyring{tenant: "cross-sdk-test", previous: 0, current: 96179a9bc881aa7ca83f04b78a66afd3}
}
