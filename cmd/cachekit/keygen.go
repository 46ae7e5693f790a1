package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"

	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// keygenFlags are the flags of keygen.
type keygenFlags struct{ bytes int }

func (f *keygenFlags) flagSet() *flag.FlagSet {
	fs := newFlagSet("keygen")
	fs.IntVar(&f.bytes, "bytes", encryption.MasterKeySize, "key length in bytes, at least 32 (32 is the only size every cachekit SDK accepts)")
	return fs
}

// maxKeygenBytes bounds -bytes: far above any useful key, far below a memory problem.
const maxKeygenBytes = 1024

var keygenCommand = &command{
	name:    "keygen",
	args:    "[-bytes N]",
	summary: "print a new random master key for CACHEKIT_MASTER_KEY",
	help: `Keygen prints a new master key: -bytes random bytes (32 by default) from the
operating system's cryptographically secure generator, as lowercase hex on standard
output and nowhere else. Use it as CACHEKIT_MASTER_KEY:

	export CACHEKIT_MASTER_KEY=$(cachekit keygen)

Keep it out of shell history and logs; a lost key makes its entries unreadable.`,
	flags: func() *flag.FlagSet { return new(keygenFlags).flagSet() },
	run: func(_ context.Context, e *env, args []string) error {
		f := new(keygenFlags)
		pos, err := parseArgs(f.flagSet(), args)
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return usagef("keygen takes no arguments")
		}
		return keygen(e.stdout, rand.Reader, f.bytes)
	},
}

// keygen writes n random bytes from random as one line of hex to w.
func keygen(w io.Writer, random io.Reader, n int) error {
	if n < encryption.MasterKeySize || n > maxKeygenBytes {
		return usagef("-bytes must be %d to %d", encryption.MasterKeySize, maxKeygenBytes)
	}
	key := make([]byte, n)
	defer clear(key)
	if _, err := io.ReadFull(random, key); err != nil {
		return fmt.Errorf("reading random bytes: %w", err)
	}
	_, err := fmt.Fprintln(w, hex.EncodeToString(key))
	return err
}
