package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"testing"
)

var benchSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// benchSetup returns a keyring (with one decrypt-only key, as during a rotation), a
// bare stdlib AES-256-GCM over the same derived key, an AAD and a plaintext.
func benchSetup(b *testing.B, size int) (*Keyring, cipher.AEAD, []byte, []byte) {
	b.Helper()
	master := keyOf(0x61)
	kr, err := NewKeyring(master, [][]byte{keyOf(0x62)}, DefaultTenant)
	if err != nil {
		b.Fatal(err)
	}
	key, err := deriveKey(master, domainEncryption, DefaultTenant)
	if err != nil {
		b.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	aad := AAD(DefaultTenant, "myapp:users:get_user:61598716255080080f6456eb065c2e51", FormatMsgpack, false)
	pt := make([]byte, size)
	for i := range pt {
		pt[i] = byte(i)
	}
	return kr, gcm, aad, pt
}

func BenchmarkSeal(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name+"/keyring", func(b *testing.B) {
			kr, _, aad, pt := benchSetup(b, s.size)
			b.ReportAllocs()
			b.SetBytes(int64(s.size))
			for b.Loop() {
				if _, err := kr.Seal(pt, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"/bare-gcm", func(b *testing.B) {
			_, gcm, aad, pt := benchSetup(b, s.size)
			nonce := make([]byte, NonceSize)
			b.ReportAllocs()
			b.SetBytes(int64(s.size))
			for b.Loop() {
				out := make([]byte, NonceSize, Overhead+len(pt))
				copy(out, nonce)
				gcm.Seal(out, nonce, pt, aad)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name+"/keyring", func(b *testing.B) {
			kr, _, aad, pt := benchSetup(b, s.size)
			sealed, err := kr.Seal(pt, aad)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(s.size))
			for b.Loop() {
				if _, _, err := kr.Open(sealed, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"/bare-gcm", func(b *testing.B) {
			kr, gcm, aad, pt := benchSetup(b, s.size)
			sealed, err := kr.Seal(pt, aad) // the same bytes the keyring opens
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(s.size))
			for b.Loop() {
				if _, err := gcm.Open(nil, sealed[:NonceSize], sealed[NonceSize:], aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// A value sealed with the decrypt-only key: the cost of one failed attempt first.
	b.Run("1KiB/keyring-previous-key", func(b *testing.B) {
		kr, _, aad, pt := benchSetup(b, 1<<10)
		old, _ := NewKeyring(keyOf(0x62), nil, DefaultTenant)
		sealed, _ := old.Seal(pt, aad)
		b.ReportAllocs()
		b.SetBytes(1 << 10)
		for b.Loop() {
			if _, idx, err := kr.Open(sealed, aad); err != nil || idx != 1 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNewKeyring(b *testing.B) {
	current, previous := keyOf(1), [][]byte{keyOf(2), keyOf(3), keyOf(4)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewKeyring(current, previous, DefaultTenant); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAAD(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		AAD(DefaultTenant, "myapp:users:get_user:61598716255080080f6456eb065c2e51", FormatMsgpack, false)
	}
}
