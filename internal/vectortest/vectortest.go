// Package vectortest loads the published cross-SDK test vectors from testdata/vectors
// for the tests of this module. Every file is checked against testdata/vectors/SHA256SUMS
// before it is handed out, so a vector edited by accident fails the test that reads it
// instead of silently changing what "compatible" means. Each runs a group of vectors,
// one subtest per vector named by the vector, and logs how many of them passed.
package vectortest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Dir returns the absolute path of testdata/vectors in this module.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("vectortest: cannot locate source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "vectors")
}

// Sums reads SHA256SUMS and returns file name -> expected lowercase hex digest.
func Sums() (map[string]string, error) {
	f, err := os.Open(filepath.Join(Dir(), "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		digest, name, ok := strings.Cut(line, "  ")
		if !ok || len(digest) != 64 {
			return nil, fmt.Errorf("vectortest: malformed SHA256SUMS line %q", line)
		}
		sums[strings.TrimPrefix(name, "*")] = strings.ToLower(digest)
	}
	return sums, sc.Err()
}

// Verify reports whether the named vector file matches its published checksum.
func Verify(name string) ([]byte, error) {
	sums, err := Sums()
	if err != nil {
		return nil, err
	}
	want, ok := sums[name]
	if !ok {
		return nil, fmt.Errorf("vectortest: %s is not listed in SHA256SUMS", name)
	}
	data, err := os.ReadFile(filepath.Join(Dir(), name))
	if err != nil {
		return nil, err
	}
	if digestHex(data) != want {
		return nil, fmt.Errorf("vectortest: %s does not match SHA256SUMS; re-run scripts/sync-vectors.sh, never edit a vector", name)
	}
	return data, nil
}

// Load reads the named vector file (for example "encryption.json"), verifies its
// checksum and decodes it into v. JSON numbers are kept as json.Number so that
// integers beyond 2^53 survive. It fails the test on any error.
func Load(t testing.TB, name string, v any) {
	t.Helper()
	data, err := Verify(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("vectortest: decoding %s: %v", name, err)
	}
}

// MustHex decodes a hex string from a vector, failing the test on malformed input.
func MustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("vectortest: bad hex %q: %v", s, err)
	}
	return b
}

// Tally counts passing vectors per file so tests can print "file: N passed" lines in
// `go test -v` output, as the proof of conformance asks.
type Tally struct {
	File   string
	passed int
	total  int
}

// Pass records one vector that passed.
func (c *Tally) Pass() { c.passed++; c.total++ }

// Fail records one vector that failed (the test itself reports why).
func (c *Tally) Fail() { c.total++ }

// Report logs the count; call it with defer from the test that ran the vectors.
func (c *Tally) Report(t testing.TB, group string) {
	t.Helper()
	t.Logf("vectors %s [%s]: %d/%d passed", c.File, group, c.passed, c.total)
}

// Each runs fn once per row, in order, each time as a subtest named name(row) (the
// vector's name, so `go test -run 'TestX/<vector>'` selects one vector), and then logs
// the Tally line of file for group, as Tally.Report does. A row counts as passed when
// its subtest passed; rows that -run filtered out or that skipped are not counted. fn must not call t.Parallel: the count is taken when t.Run
// returns, which a parallel subtest does before it has finished.
func Each[T any](t *testing.T, file, group string, rows []T, name func(T) string, fn func(t *testing.T, row T)) {
	t.Helper()
	tally := Tally{File: file}
	for _, row := range rows {
		// t.Run also returns true for a subtest that -run filtered out or that
		// skipped, so those are told apart and left out of the count.
		ran, skipped := false, false
		passed := t.Run(name(row), func(t *testing.T) {
			ran = true
			defer func() { skipped = t.Skipped() }()
			fn(t, row)
		})
		switch {
		case !ran || skipped:
		case passed:
			tally.Pass()
		default:
			tally.Fail()
		}
	}
	tally.Report(t, group)
}

func digestHex(b []byte) string {
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}
