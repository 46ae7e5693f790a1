package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

func TestKeygenCommand(t *testing.T) {
	seen := map[string]bool{}
	for _, tt := range []struct {
		args   []string
		digits int
	}{
		{nil, 64},
		{[]string{"-bytes", "32"}, 64},
		{[]string{"-bytes", "48"}, 96},
		{nil, 64},
	} {
		r := runCLI(t, nil, append([]string{"keygen"}, tt.args...)...)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("%q: exit %d stderr %q", tt.args, r.code, r.stderr)
		}
		line := strings.TrimSuffix(r.stdout, "\n")
		if len(line) != tt.digits || strings.ContainsAny(line, "ABCDEF \t") || strings.Count(r.stdout, "\n") != 1 {
			t.Fatalf("%q: output %q, want one line of %d lowercase hex digits", tt.args, r.stdout, tt.digits)
		}
		// The protocol's own master-key parser accepts it.
		if _, err := encryption.ParseMasterKey(line); err != nil {
			t.Fatalf("%q: the key does not parse as a master key: %v", tt.args, err)
		}
		if seen[line] {
			t.Fatal("keygen repeated a key")
		}
		seen[line] = true
	}
	for _, bad := range []string{"31", "0", "-1", "1025"} {
		if r := runCLI(t, nil, "keygen", "-bytes", bad); r.code != exitUsage || r.stdout != "" {
			t.Errorf("-bytes %s: exit %d stdout %q, want a usage error", bad, r.code, r.stdout)
		}
	}
}

func TestKeygenWritesTheRandomBytes(t *testing.T) {
	random := bytes.Repeat([]byte{0xab, 0x01}, 16)
	var out bytes.Buffer
	if err := keygen(&out, bytes.NewReader(random), 32); err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(random) + "\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	err := keygen(&out, iotest.ErrReader(errors.New("no entropy")), 32)
	if err == nil || out.Len() != 0 {
		t.Fatalf("a failing random source gave %q, %v", out.String(), err)
	}
}
