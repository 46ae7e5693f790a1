package encryption

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
)

func TestPropertyRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	kr, err := NewKeyring(keyOf(0x42), [][]byte{keyOf(0x43)}, DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		pt := make([]byte, rng.IntN(2048))
		aad := make([]byte, rng.IntN(300))
		fillRandom(rng, pt)
		fillRandom(rng, aad)
		sealed, err := kr.Seal(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		got, idx, err := kr.Open(sealed, aad)
		if err != nil || idx != 0 || !bytes.Equal(got, pt) {
			t.Fatalf("round %d: Open = %d bytes, %d, %v; want %d bytes", i, len(got), idx, err, len(pt))
		}
		if len(pt) > 0 && bytes.Contains(sealed, pt) && len(pt) >= 16 {
			t.Fatalf("round %d: the sealed value holds the plaintext", i)
		}
		// Any other AAD fails, including the same bytes plus one.
		other := append(append([]byte(nil), aad...), 0)
		if _, _, err := kr.Open(sealed, other); !errors.Is(err, ErrAuthentication) {
			t.Fatalf("round %d: Open with a longer AAD = %v", i, err)
		}
	}
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// TestPropertyBitFlips flips every bit of a small sealed value, and every bit of its
// AAD, and requires each to fail authentication: there is no byte of the stored value
// or its context an attacker can change unnoticed.
func TestPropertyBitFlips(t *testing.T) {
	t.Parallel()
	kr, _ := NewKeyring(keyOf(0x11), [][]byte{keyOf(0x22)}, DefaultTenant)
	aad := AAD(DefaultTenant, "ns:user:42", FormatMsgpack, false)
	sealed, err := kr.Seal([]byte("hello"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, bit int) []byte {
		c := append([]byte(nil), b...)
		c[bit/8] ^= 1 << (bit % 8)
		return c
	}
	for bit := range len(sealed) * 8 {
		if pt, _, err := kr.Open(flip(sealed, bit), aad); !errors.Is(err, ErrAuthentication) || pt != nil {
			t.Fatalf("flipping sealed bit %d: Open = %x, %v", bit, pt, err)
		}
	}
	for bit := range len(aad) * 8 {
		if pt, _, err := kr.Open(sealed, flip(aad, bit)); !errors.Is(err, ErrAuthentication) || pt != nil {
			t.Fatalf("flipping AAD bit %d: Open = %x, %v", bit, pt, err)
		}
	}
	if _, _, err := kr.Open(sealed[:len(sealed)-1], aad); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("truncated: %v", err)
	}
	if _, _, err := kr.Open(append(append([]byte(nil), sealed...), 0), aad); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("extended: %v", err)
	}
	if pt, _, err := kr.Open(sealed, aad); err != nil || string(pt) != "hello" {
		t.Fatalf("the unflipped value no longer opens: %q, %v", pt, err)
	}
}

// TestPropertyNoncesUnique seals from many goroutines at once and requires every nonce
// to be distinct, to carry the keyring's instance id, and the counters to be exactly
// 0..n-1 (none skipped, none repeated).
func TestPropertyNoncesUnique(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine = 8, 4000
	kr, _ := NewKeyring(keyOf(0x33), nil, DefaultTenant)
	aad := AAD(DefaultTenant, "k", FormatMsgpack, false)
	nonces := make([][][NonceSize]byte, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range perGoroutine {
				sealed, err := kr.Seal(nil, aad)
				if err != nil {
					t.Error(err)
					return
				}
				nonces[g] = append(nonces[g], [NonceSize]byte(sealed[:NonceSize]))
			}
		})
	}
	wg.Wait()
	seen := make(map[[NonceSize]byte]bool, goroutines*perGoroutine)
	counters := make([]bool, goroutines*perGoroutine)
	for _, list := range nonces {
		for _, n := range list {
			if seen[n] {
				t.Fatalf("nonce %x used twice", n)
			}
			seen[n] = true
			if id := binary.BigEndian.Uint64(n[:8]); id != kr.nonces.instance {
				t.Fatalf("nonce %x has instance id %x, want %x", n, id, kr.nonces.instance)
			}
			c := binary.BigEndian.Uint32(n[8:])
			if int(c) >= len(counters) || counters[c] {
				t.Fatalf("counter %d out of range or repeated", c)
			}
			counters[c] = true
		}
	}
	if len(seen) != goroutines*perGoroutine {
		t.Fatalf("%d nonces, want %d", len(seen), goroutines*perGoroutine)
	}
}

// TestPropertyInstanceIDsUnique builds keyrings concurrently, even for the same key and
// tenant, and requires distinct instance ids, so their nonces never collide.
func TestPropertyInstanceIDsUnique(t *testing.T) {
	t.Parallel()
	const n = 200
	ids := make([]uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			kr, err := NewKeyring(keyOf(0x44), nil, DefaultTenant)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = kr.nonces.instance
		})
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("instance id %x handed out twice", id)
		}
		seen[id] = true
	}
}
