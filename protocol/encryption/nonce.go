package encryption

import (
	"crypto/rand"
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
)

// instanceIDs hands out the 8-byte instance ids of nonces. It is a process-wide
// counter whose start is drawn from crypto/rand on first use, so ids never repeat within
// a process and collide across processes only if their random starts land within the
// number of keyrings each builds of one another. The spec seeds 32 random bits in the
// upper half; a full 64-bit random start is at least as strong.
var instanceIDs = sync.OnceValue(func() *atomic.Uint64 {
	var seed [8]byte
	rand.Read(seed[:]) // never fails: crypto/rand aborts the program if it cannot read
	c := new(atomic.Uint64)
	c.Store(binary.BigEndian.Uint64(seed[:]))
	return c
})

// nextInstanceID returns a process-unique instance id.
func nextInstanceID() uint64 { return instanceIDs().Add(1) }

// nonceSequence produces the counter nonces of one encryptor: instance id (8 bytes,
// big-endian) | counter (4 bytes, big-endian), the counter running from 0 to 2^32-1.
// It is safe for concurrent use. After 2^32 nonces it fails forever instead of
// wrapping, because a repeated nonce under one AES-GCM key loses confidentiality and
// authenticity.
type nonceSequence struct {
	instance uint64
	next     atomic.Uint64 // counter of the next nonce; values above MaxUint32 are exhausted
}

func newNonceSequence() *nonceSequence {
	return &nonceSequence{instance: nextInstanceID()}
}

// fill writes the next nonce into n.
func (s *nonceSequence) fill(n *[NonceSize]byte) error {
	// Add never wraps in practice: 2^64 calls are out of reach, and every call past
	// MaxUint32 returns an error without using the value.
	counter := s.next.Add(1) - 1
	if counter > math.MaxUint32 {
		return &Error{Kind: KindExhausted, Op: "seal", Detail: "2^32 values were sealed with this keyring", Err: ErrNonceExhausted}
	}
	binary.BigEndian.PutUint64(n[:8], s.instance)
	binary.BigEndian.PutUint32(n[8:], uint32(counter))
	return nil
}
