// Command secure shows client-side encryption with Client.Secure: a round trip, what
// the backend really holds, key rotation with a previous master key, and how a value
// that was tampered with is reported (a typed error, never a miss or a wrong value).
//
//	go run ./examples/secure
//
// It needs no server: the clients share one in-process memory backend, which lets the
// example look at, and alter, the stored bytes. In production the master key comes
// from CACHEKIT_MASTER_KEY (make one with `go run ./cmd/cachekit keygen`) and old keys
// from CACHEKIT_PREVIOUS_MASTER_KEYS, never from code.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

const (
	namespace = "secure-example"
	key       = "patient:7:diagnosis"
	diagnosis = "seasonal allergies"
)

func main() {
	ctx := context.Background()

	// One backend for every client below, as if they were services sharing a Redis.
	mem, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mem.Close()

	oldKey, newKey := newMasterKey(), newMasterKey()

	// 1. Round trip. Writes through the Secure view are encrypted before they leave the
	// process; reads are decrypted and authenticated.
	before := newClient(mem, oldKey)
	defer before.Close()
	sec := secure(before)
	if err := sec.Set(ctx, key, diagnosis, cachekit.WithTTL(10*time.Minute)); err != nil {
		log.Fatal(err)
	}
	got, found, err := cachekit.Get[string](ctx, sec, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("round trip: %q found=%v\n", got, found)

	// 2. What the backend holds: nonce (12 bytes) | ciphertext | tag (16 bytes), under
	// the storage key "{namespace}:{key}". The plaintext is nowhere in it.
	storageKey := namespace + ":" + key
	raw, _, err := mem.Get(ctx, storageKey)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("backend holds %d bytes for %s: %s... (plaintext visible: %v)\n",
		len(raw), storageKey, hex.EncodeToString(raw[:8]), bytes.Contains(raw, []byte(diagnosis)))

	// A client reading without its Secure view refuses the ciphertext rather than
	// returning bytes it cannot make sense of.
	_, _, err = cachekit.Get[string](ctx, before, key)
	fmt.Printf("plain Get of an encrypted entry: errors.Is(err, cachekit.ErrSerialization) = %v\n",
		errors.Is(err, cachekit.ErrSerialization))

	// 3. Key rotation. The new key becomes MasterKey; the old one stays readable as a
	// decrypt-only previous key (up to three) until the values written under it expire.
	after := newClient(mem, newKey, oldKey)
	defer after.Close()
	secAfter := secure(after)
	got, _, err = cachekit.Get[string](ctx, secAfter, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("after rotation: %q read with the previous key (previous-key reads: %d)\n",
		got, after.Stats().PreviousKeyReads)

	// New writes use the new key, which a client still holding only the old key cannot
	// open.
	if err := secAfter.Set(ctx, key, diagnosis+", updated", cachekit.WithTTL(10*time.Minute)); err != nil {
		log.Fatal(err)
	}
	lagging := newClient(mem, oldKey)
	defer lagging.Close()
	_, _, err = cachekit.Get[string](ctx, secure(lagging), key)
	fmt.Printf("old key only, value under the new key: errors.Is(err, cachekit.ErrEncryption) = %v\n",
		errors.Is(err, cachekit.ErrEncryption))

	// 4. Tampering. Flip one bit of the stored ciphertext, as an attacker with access to
	// the backend might. AES-GCM authentication catches it.
	raw, _, err = mem.Get(ctx, storageKey)
	if err != nil {
		log.Fatal(err)
	}
	raw[12] ^= 0x01 // the first ciphertext byte, right after the nonce
	if err := mem.Set(ctx, storageKey, raw, 10*time.Minute); err != nil {
		log.Fatal(err)
	}
	_, found, err = cachekit.Get[string](ctx, secAfter, key)
	describe("tampered value", found, err)

	// The AAD binds each value to its tenant and storage key: a valid ciphertext copied
	// under another key does not open either.
	if err := secAfter.Set(ctx, "patient:8:diagnosis", "none", cachekit.WithTTL(10*time.Minute)); err != nil {
		log.Fatal(err)
	}
	moved, _, err := mem.Get(ctx, namespace+":patient:8:diagnosis")
	if err != nil {
		log.Fatal(err)
	}
	if err := mem.Set(ctx, storageKey, moved, 10*time.Minute); err != nil {
		log.Fatal(err)
	}
	_, found, err = cachekit.Get[string](ctx, secAfter, key)
	describe("value copied from another key", found, err)
}

// describe shows how to tell an encryption failure apart: errors.Is against the
// sentinel of its Kind, or errors.As to the *cachekit.Error for its details. The cause
// underneath is the encryption package's own typed error.
func describe(what string, found bool, err error) {
	fmt.Printf("%s: found=%v\n  error: %v\n", what, found, err)
	fmt.Printf("  errors.Is(err, cachekit.ErrEncryption): %v\n", errors.Is(err, cachekit.ErrEncryption))
	fmt.Printf("  errors.Is(err, encryption.ErrAuthentication): %v\n", errors.Is(err, encryption.ErrAuthentication))
	var ce *cachekit.Error
	if errors.As(err, &ce) {
		fmt.Printf("  errors.As: kind %q, op %q, key %q\n", ce.Kind, ce.Op, ce.Key)
	}
}

// newClient returns a client over mem with master key current and, optionally, older
// decrypt-only keys. The L1 is off so that every read in this example goes to the
// backend and shows the effect of each step at once; with an L1 the client keeps
// only ciphertext there too, and a change another client makes evicts it.
func newClient(mem *memory.Backend, current cachekit.Secret, previous ...cachekit.Secret) *cachekit.Client {
	c, err := cachekit.New(cachekit.Options{
		Backend:            mem,
		Namespace:          namespace,
		MasterKey:          current,
		PreviousMasterKeys: previous,
		L1:                 cachekit.L1Options{Disabled: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// secure returns the encrypting view of c.
func secure(c *cachekit.Client) *cachekit.SecureClient {
	s, err := c.Secure()
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// newMasterKey makes a random 32-byte master key, hex-encoded as CACHEKIT_MASTER_KEY
// holds it. cachekit.Secret never prints its value.
func newMasterKey() cachekit.Secret {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	return cachekit.Secret(hex.EncodeToString(b))
}
