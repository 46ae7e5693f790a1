package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// Demo defaults: about a second of slow loads, and enough fast reads for a p99.
const (
	defaultDemoUsers = 20
	defaultDemoReads = 1000
	defaultDemoDelay = 50 * time.Millisecond
	maxDemoUsers     = 1000
	maxDemoReads     = 1_000_000
	maxDemoDelay     = time.Second
	// demoNamespace prefixes every key the demo writes.
	demoNamespace = "demo"
)

// demoConfig is what the demo does; the flags set it.
type demoConfig struct {
	backend string        // "file" (a temporary directory) or "memory"
	users   int           // distinct profiles, each loaded once through the slow loader
	reads   int           // timed reads of each hit tier (L2 and L1)
	delay   time.Duration // latency of the simulated loader
	quiet   bool          // no progress output
	random  io.Reader     // source of the master keys; crypto/rand.Reader in the command
	tempDir string        // parent of the file backend's directory; "" means os.TempDir()
}

func (c *demoConfig) flagSet() *flag.FlagSet {
	fs := newFlagSet("demo")
	fs.StringVar(&c.backend, "backend", "file", "the L2 of the demo: file (a temporary directory, removed at exit) or memory")
	fs.IntVar(&c.reads, "n", defaultDemoReads, "timed reads per hit tier (L2 hits, L1 hits)")
	fs.IntVar(&c.users, "users", defaultDemoUsers, "profiles loaded through the slow loader (the misses)")
	fs.DurationVar(&c.delay, "delay", defaultDemoDelay, "latency of the simulated loader")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress output on standard error")
	return fs
}

func (c *demoConfig) validate() error {
	switch {
	case c.backend != "file" && c.backend != "memory":
		return usagef("-backend must be file or memory (the data commands take URLs; the demo needs no server)")
	case c.users < 1 || c.users > maxDemoUsers:
		return usagef("-users must be 1 to %d", maxDemoUsers)
	case c.reads < 1 || c.reads > maxDemoReads:
		return usagef("-n must be 1 to %d", maxDemoReads)
	case c.delay < 0 || c.delay > maxDemoDelay:
		return usagef("-delay must be 0 to %s", maxDemoDelay)
	}
	return nil
}

var demoCommand = &command{
	name:    "demo",
	args:    "[-backend file|memory] [-n N] [-users U] [-delay D] [-quiet]",
	summary: "show what the SDK does, with no setup, in a few seconds",
	help: `Demo runs the SDK against an embedded backend (by default the file backend in a
temporary directory, removed when it ends; -backend memory keeps everything in
process) and shows, with real measurements:

  1. a slow loader (a simulated 50 ms "fetch user profile") called through the cache:
     first a miss per profile, then L2 hits from clients sharing the backend (each
     backfilling its own L1), then L1 hits; hit counts from Client.Stats() and
     latency percentiles per tier;
  2. encryption with a master key generated for the run (only its fingerprint is
     shown): a Secure round trip, and the bytes the backend holds for the same value
     written by a plain and by a secure client;
  3. where to go next.

It needs no configuration and ignores the CACHEKIT_* variables.`,
	flags: func() *flag.FlagSet { return new(demoConfig).flagSet() },
	run: func(ctx context.Context, e *env, args []string) error {
		cfg := new(demoConfig)
		pos, err := parseArgs(cfg.flagSet(), args)
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return usagef("demo takes no arguments")
		}
		if err := cfg.validate(); err != nil {
			return err
		}
		cfg.random = rand.Reader
		prog := &progress{w: e.stderr, tty: e.stderrTTY, quiet: cfg.quiet}
		_, err = runDemo(ctx, cfg, e.stdout, prog)
		return err
	},
}

// demoResult is what the demo measured, for its tests.
type demoResult struct {
	dir          string // the temporary directory of the file backend, removed by now
	loaderRuns   int64
	coldStarts   int // clients created for the L2 tier
	tiers        [tierCount]latencies
	stats        [tierCount]cachekit.Stats // Stats deltas summed over the step of each tier
	lastReplica  cachekit.Stats            // the warm client's Stats at the end
	secure       *secureResult
	l1BackfillOK bool
}

// runDemo runs the demo, printing to out. It removes what it created before returning.
func runDemo(ctx context.Context, cfg *demoConfig, out io.Writer, prog *progress) (*demoResult, error) {
	res := new(demoResult)
	b, describe, cleanup, err := demoBackend(cfg.backend, cfg.tempDir, res)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	fmt.Fprintln(out, "cachekit demo: an L1 in front of a shared L2, and client-side encryption")
	fmt.Fprintf(out, "backend: %s\n\n", describe)

	if err := demoCaching(ctx, cfg, b, out, prog, res); err != nil {
		return nil, err
	}
	fmt.Fprintln(out)
	sec, err := demoEncryption(ctx, cfg, b, res.dir, out)
	if err != nil {
		return nil, err
	}
	res.secure = sec
	fmt.Fprintln(out)
	demoNextSteps(out)
	return res, nil
}

// demoBackend creates the demo's L2 and returns it with a description and a cleanup
// function that closes it and removes its directory.
func demoBackend(kind, parent string, res *demoResult) (backend.Backend, string, func(), error) {
	if kind == "memory" {
		b, err := memory.New(memory.Options{})
		if err != nil {
			return nil, "", nil, err
		}
		return b, "memory (in process; the demo's clients share it as processes share Redis)",
			func() { _ = b.Close() }, nil
	}
	dir, err := os.MkdirTemp(parent, "cachekit-demo-*")
	if err != nil {
		return nil, "", nil, fmt.Errorf("creating the demo directory: %w", err)
	}
	b, err := file.New(file.Options{Dir: dir})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", nil, err
	}
	res.dir = dir
	return b, fmt.Sprintf("file, in %s (a temporary directory, removed at exit)", dir),
		func() { _ = os.RemoveAll(dir) }, nil
}

// newDemoClient returns a client over b that ignores the environment: the demo runs
// the same whatever CACHEKIT_* variables are set.
func newDemoClient(b backend.Backend, masterKeyHex string) (*cachekit.Client, error) {
	return cachekit.New(cachekit.Options{
		Backend:   b,
		Namespace: demoNamespace,
		MasterKey: cachekit.Secret(masterKeyHex),
		Env:       func(string) (string, bool) { return "", false },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func demoNextSteps(out io.Writer) {
	fmt.Fprintln(out, "3. Next steps")
	steps := [][2]string{
		{"README, Quick start", "cachekit.New, Set and Get[T] in your own program"},
		{"README, Backends", "Redis, Memcached, file or cachekit.io: cachekit get -backend redis://host:6379/0 KEY"},
		{"README, Encryption", "export CACHEKIT_MASTER_KEY=$(cachekit keygen), then client.Secure()"},
		{"README, Interop", "keys the other SDKs compute too: cachekit key users get_user '[42]'"},
		{"README, CLI", "cachekit help; cachekit inspect -hex HEX explains any stored bytes"},
	}
	tw := newTable(out)
	for _, s := range steps {
		fmt.Fprintf(tw, "   %s\t%s\n", s[0], s[1])
	}
	_ = tw.Flush()
}

// errDemoCounts reports a demo whose Stats contradict what it did: a bug, never user
// error.
var errDemoCounts = errors.New("cachekit demo: the client's statistics do not match the reads made")
