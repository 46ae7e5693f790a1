package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// patient is the demo's sensitive value.
type patient struct {
	Name string `msgpack:"name"`
	SSN  string `msgpack:"ssn"`
}

// The secret in the demo's value, looked for in the stored bytes.
const demoSSN = "123-45-6789"

// secureResult is what section 2 found, for the tests.
type secureResult struct {
	fingerprint  []byte
	roundTrip    patient
	plainStored  []byte // what the backend holds for the plain client's write
	sealedStored []byte // what it holds for the secure client's write
	wrongKeyKind cachekit.Kind
}

// demoEncryption is section 2: a Secure round trip under a key generated for the run,
// and the bytes the backend holds for a plain and for an encrypted write of one value.
func demoEncryption(ctx context.Context, cfg *demoConfig, b backend.Backend, dir string, out io.Writer) (*secureResult, error) {
	res := new(secureResult)
	keyHex, key, err := randomMasterKey(cfg.random)
	if err != nil {
		return nil, err
	}
	fp, err := encryption.Fingerprint(key, encryption.DefaultTenant)
	clear(key)
	if err != nil {
		return nil, err
	}
	res.fingerprint = fp[:]

	c, err := newDemoClient(b, keyHex)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	sec, err := c.Secure()
	if err != nil {
		return nil, err
	}
	value := patient{Name: "Ada Lovelace", SSN: demoSSN}
	const secureKey, plainKey = "secure:patient:42", "plain:patient:42"
	if err := sec.Set(ctx, secureKey, value); err != nil {
		return nil, err
	}
	got, found, err := cachekit.Get[patient](ctx, sec, secureKey)
	if err != nil {
		return nil, err
	}
	if !found || got != value {
		return nil, fmt.Errorf("cachekit demo: the secure round trip returned another value")
	}
	res.roundTrip = got
	if err := c.Set(ctx, plainKey, value); err != nil {
		return nil, err
	}
	// What the backend holds, read past the client: no L1, no decryption.
	if res.plainStored, err = storedBytes(ctx, b, plainKey); err != nil {
		return nil, err
	}
	if res.sealedStored, err = storedBytes(ctx, b, secureKey); err != nil {
		return nil, err
	}
	if res.wrongKeyKind, err = readWithOtherKey(ctx, cfg, b, secureKey); err != nil {
		return nil, err
	}

	fmt.Fprintln(out, "2. Client-side encryption: the backend never sees plaintext")
	tw := newTable(out)
	fmt.Fprintf(tw, "   master key\t32 random bytes made for this run, never printed (yours: CACHEKIT_MASTER_KEY)\n")
	fmt.Fprintf(tw, "   fingerprint\t%x (names the key of tenant %q, reveals nothing)\n", res.fingerprint, encryption.DefaultTenant)
	fmt.Fprintf(tw, "   Secure round trip\tSet, then Get of %q returned %+v\n", secureKey, got)
	_ = tw.Flush()
	fmt.Fprintln(out)

	fmt.Fprintln(out, "   What the backend holds for that value:")
	fmt.Fprintf(out, "   plain client (%q): MessagePack, %d bytes\n", plainKey, len(res.plainStored))
	hexDump(out, "     ", res.plainStored, 0, 64)
	s := res.sealedStored
	if len(s) >= 28 {
		ct := s[encryption.NonceSize : len(s)-16]
		fmt.Fprintf(out, "   secure client (%q): AES-256-GCM, %d bytes = nonce %d | ciphertext %d | tag 16\n",
			secureKey, len(s), encryption.NonceSize, len(ct))
		fmt.Fprintf(out, "     nonce       %s %s  (process instance id | counter)\n", hex.EncodeToString(s[:8]), hex.EncodeToString(s[8:12]))
		fmt.Fprintln(out, "     ciphertext")
		hexDump(out, "     ", ct, encryption.NonceSize, 64)
		fmt.Fprintf(out, "     tag         %s\n", hex.EncodeToString(s[len(s)-16:]))
	}
	if dir != "" {
		name := file.EntryName(demoNamespace + ":" + secureKey)
		fmt.Fprintf(out, "   On disk: %s\n", filepath.Join(dir, name))
		fmt.Fprintln(out, "   holds a 14-byte header, then exactly these bytes.")
	}
	fmt.Fprintf(out, "   %q in the stored bytes: plain client %s, secure client %s.\n",
		demoSSN, foundAt(res.plainStored, demoSSN), foundAt(res.sealedStored, demoSSN))
	fmt.Fprintf(out, "   Another master key reading %q gets an %s error: never a miss, never a wrong value.\n",
		secureKey, res.wrongKeyKind)
	return res, nil
}

// randomMasterKey reads a 32-byte master key from random and returns it in hex and raw.
func randomMasterKey(random io.Reader) (string, []byte, error) {
	key := make([]byte, encryption.MasterKeySize)
	if _, err := io.ReadFull(random, key); err != nil {
		return "", nil, fmt.Errorf("reading random bytes: %w", err)
	}
	return hex.EncodeToString(key), key, nil
}

// storedBytes reads the backend entry of a demo key directly.
func storedBytes(ctx context.Context, b backend.Backend, key string) ([]byte, error) {
	raw, found, err := b.Get(ctx, demoNamespace+":"+key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("cachekit demo: the backend lost %q", key)
	}
	return raw, nil
}

// readWithOtherKey reads key through a secure client with a new random master key and
// returns the Kind of the error it must get.
func readWithOtherKey(ctx context.Context, cfg *demoConfig, b backend.Backend, key string) (cachekit.Kind, error) {
	otherHex, other, err := randomMasterKey(cfg.random)
	if err != nil {
		return 0, err
	}
	clear(other)
	c, err := newDemoClient(b, otherHex)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	sec, err := c.Secure()
	if err != nil {
		return 0, err
	}
	_, found, err := cachekit.Get[patient](ctx, sec, key)
	if err == nil {
		if found {
			return 0, fmt.Errorf("cachekit demo: another master key decrypted the value")
		}
		return 0, fmt.Errorf("cachekit demo: another master key read a miss")
	}
	kind, _ := cachekit.KindOf(err)
	return kind, nil
}

// foundAt says whether and where needle occurs in b.
func foundAt(b []byte, needle string) string {
	if i := bytes.Index(b, []byte(needle)); i >= 0 {
		return fmt.Sprintf("yes (offset %d)", i)
	}
	return "no"
}
