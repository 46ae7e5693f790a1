// Command quickstart is the README's first program: a cachekit client over the
// in-process backend, a typed read, a miss, and an encrypted round trip.
//
//	go run ./examples/quickstart
//
// Swap the backend for Redis, Memcached, a directory or cachekit.io by setting
// Options.Backend (see the README's Backends section); nothing else changes.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
)

// User is stored as a MessagePack map keyed by the msgpack tags, which the other
// cachekit SDKs read as a plain object.
type User struct {
	ID    int    `msgpack:"id"`
	Name  string `msgpack:"name"`
	Email string `msgpack:"email"`
}

func main() {
	ctx := context.Background()

	// A master key for the encrypted part. In production it comes from
	// CACHEKIT_MASTER_KEY (make one with `cachekit keygen`), never from code.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		log.Fatal(err)
	}

	c, err := cachekit.New(cachekit.Options{
		Namespace:  "quickstart",
		DefaultTTL: 10 * time.Minute,
		MasterKey:  cachekit.Secret(hex.EncodeToString(key)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if err := c.Set(ctx, "user:42", User{ID: 42, Name: "Ada", Email: "ada@example.com"}); err != nil {
		log.Fatal(err)
	}
	u, found, err := cachekit.Get[User](ctx, c, "user:42")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("user:42 found=%v: %+v\n", found, u)

	_, found, err = cachekit.Get[User](ctx, c, "user:43")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("user:43 found=%v (a miss is not an error)\n", found)

	// The Secure view encrypts before anything leaves the process: the backend and the
	// L1 hold only AES-256-GCM ciphertext.
	sec, err := c.Secure()
	if err != nil {
		log.Fatal(err)
	}
	if err := sec.Set(ctx, "user:42:ssn", "123-45-6789", cachekit.WithTTL(time.Minute)); err != nil {
		log.Fatal(err)
	}
	ssn, _, err := cachekit.Get[string](ctx, sec, "user:42:ssn")
	if err != nil {
		log.Fatal(err)
	}
	raw, _, err := c.Backend().Get(ctx, "quickstart:user:42:ssn")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("user:42:ssn decrypts to %q; the backend holds %d bytes of ciphertext\n", ssn, len(raw))

	s := c.Stats()
	fmt.Printf("stats: L1 hits %d, L2 hits %d, misses %d\n", s.L1Hits, s.L2Hits, s.Misses)
}
