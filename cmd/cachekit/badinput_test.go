package main

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/file"
)

// TestParseTaggedErrorsNamePositions: every refusal of tagged JSON says where in the
// document it is, by path, and does not quote the offending value (which may be a
// secret typed on the command line).
func TestParseTaggedErrorsNamePositions(t *testing.T) {
	const secret = "s3cr3t-v4lue"
	tests := []struct {
		name string
		text string
		mode taggedMode
		path string
	}{
		{"$float of a number", `[{"$float": 2}]`, forKeyArgs, "$[0]"},
		{"$bytes of a number", `{"a": {"$bytes": 12}}`, forValue, `$."a"`},
		{"$datetime of a bool", `{"$datetime": true}`, forKeyArgs, "$"},
		{"$uuid of a number", `{"$uuid": 7}`, forKeyArgs, "$"},
		{"$uuid that does not parse", `{"$uuid": "` + secret + `"}`, forKeyArgs, "$"},
		{"$set of an object", `[1, {"$set": {"x": 1}}]`, forKeyArgs, "$[1]"},
		{"$int that is not decimal", `{"$int": "` + secret + `"}`, forKeyArgs, "$"},
		{"bare float beyond float64", `[1e999]`, forValue, "$[0]"},
		{"error inside a $set", `{"$set": [1, {"$bytes": "zz"}]}`, forKeyArgs, "$.$set[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTagged(tt.text, tt.mode)
			if err == nil {
				t.Fatalf("parseTagged(%s) = %#v, want an error", tt.text, got)
			}
			if !strings.HasPrefix(err.Error(), tt.path+": ") {
				t.Errorf("error %q does not start with the path %q", err, tt.path)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q quotes the value", err)
			}
		})
	}
}

// TestParseTaggedRefusesOversizedInput: input beyond the limit is refused before it is
// parsed.
func TestParseTaggedRefusesOversizedInput(t *testing.T) {
	text := `"` + strings.Repeat("a", maxTaggedInput) + `"`
	if got, err := parseTagged(text, forValue); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("parseTagged(%d bytes) = %.20v, %v; want the size refused", len(text), got, err)
	}
}

// TestDataCommandEdges: a non-positive -timeout is a usage error; a raw read of a key
// with no entry is the not-found failure; an entry another SDK wrote without expiry
// prints "none" for ttl.
func TestDataCommandEdges(t *testing.T) {
	dir := t.TempDir()
	url := "file://" + dir
	// A version-1 entry with expiry 0 (never), payload the MessagePack string "1".
	entry, _ := hex.DecodeString("434b01000000" + "0000000000000000" + "a131")
	if err := os.WriteFile(filepath.Join(dir, file.EntryName("forever")), entry, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderrHas string
	}{
		{"zero timeout", []string{"get", "-backend", url, "-timeout", "0s", "k"}, exitUsage, "", "-timeout must be positive"},
		{"negative timeout", []string{"exists", "-backend", url, "-timeout", "-1s", "k"}, exitUsage, "", "-timeout must be positive"},
		{"raw read of a missing key", []string{"get", "-backend", url, "-raw", "missing"}, exitFailure, "", "no entry"},
		{"ttl of an entry without expiry", []string{"ttl", "-backend", url, "forever"}, exitOK, "none\n", ""},
		{"file URL that does not parse", []string{"get", "-backend", "file://%zz/tmp", "k"}, exitUsage, "", "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code || r.stdout != tt.stdout {
				t.Fatalf("exit %d, stdout %q (stderr %q); want exit %d, stdout %q", r.code, r.stdout, r.stderr, tt.code, tt.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderrHas)
			}
		})
	}
}

// TestInspectBrokenFileEntries: inspect explains File backend values that readers
// refuse or cannot date, without failing itself.
func TestInspectBrokenFileEntries(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		hex  string
		kind kind
		has  []string
	}{
		{"header cut short", "434b01000000", kindMalformedCK, []string{"shorter than its 14-byte header", "corrupt"}},
		{"expiry beyond any calendar", "434b01000000" + "0000020000000000" + "a131", kindFileEntry, []string{"far future", "returns the payload"}},
		{"expiry of all ones", "434b01000000" + "ffffffffffffffff" + "c0", kindFileEntry, []string{"far future"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			in := inspectBytes(b, now, 1)
			if in.kind != tt.kind {
				t.Fatalf("kind %q, want %q", in.kind, tt.kind)
			}
			out := rendered(in)
			for _, s := range tt.has {
				if !strings.Contains(out, s) {
					t.Errorf("output does not contain %q:\n%s", s, out)
				}
			}
		})
	}
}

// TestInspectNamesScalarDocuments: a document that is a lone nil or bool is named by
// its type, like every other MessagePack document.
func TestInspectNamesScalarDocuments(t *testing.T) {
	for in, want := range map[string]string{"c0": "nil", "c3": "bool", "c2": "bool"} {
		b, _ := hex.DecodeString(in)
		out := rendered(inspectBytes(b, time.Unix(0, 0), 1))
		if !strings.Contains(out, want) || !strings.Contains(out, string(kindMsgpack)) {
			t.Errorf("inspect %s:\n%s\nwant a MessagePack %s", in, out, want)
		}
	}
}

// TestHexDumpCutsLongInput: the demo's dump shows at most maxBytes and says how many
// bytes it left out.
func TestHexDumpCutsLongInput(t *testing.T) {
	var out strings.Builder
	hexDump(&out, "", make([]byte, 100), 0, 32)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "(68 more bytes)") {
		t.Fatalf("dump of 100 bytes cut at 32:\n%s", out.String())
	}
}
