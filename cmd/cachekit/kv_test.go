package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/devserver"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// step is one command of a scripted session and what it must produce.
type step struct {
	args   []string
	code   int
	stdout string // exact standard output when check is nil
	check  func(t *testing.T, r cliResult)
}

// runSteps runs each step in order with vars, failing on the first mismatch.
func runSteps(t *testing.T, vars map[string]string, steps []step) {
	t.Helper()
	for i, s := range steps {
		r := runCLI(t, vars, s.args...)
		if r.code != s.code {
			t.Fatalf("step %d %q: exit status %d, want %d (stderr %q)", i, s.args, r.code, s.code, r.stderr)
		}
		if s.check != nil {
			s.check(t, r)
			continue
		}
		if r.stdout != s.stdout {
			t.Fatalf("step %d %q: stdout %q, want %q", i, s.args, r.stdout, s.stdout)
		}
	}
}

// ttlBetween checks that a ttl line is a whole-second duration in (0, limit].
func ttlBetween(limit time.Duration) func(t *testing.T, r cliResult) {
	return func(t *testing.T, r cliResult) {
		t.Helper()
		d, err := time.ParseDuration(strings.TrimSpace(r.stdout))
		if err != nil || d <= 0 || d > limit || d%time.Second != 0 {
			t.Fatalf("ttl printed %q, want whole seconds in (0, %s]", r.stdout, limit)
		}
	}
}

// jsonEquals checks that the output is the JSON document want.
func jsonEquals(want string) func(t *testing.T, r cliResult) {
	return func(t *testing.T, r cliResult) {
		t.Helper()
		var got, exp any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("output %q is not JSON: %v", r.stdout, err)
		}
		if err := json.Unmarshal([]byte(want), &exp); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Fatalf("output %s, want %s", r.stdout, want)
		}
	}
}

func TestDataCommandsOnFileBackend(t *testing.T) {
	dir := t.TempDir()
	url := "file://" + dir
	b := func(args ...string) []string { return append([]string{args[0], "-backend", url}, args[1:]...) }
	runSteps(t, nil, []step{
		{args: b("exists", "greeting"), stdout: "false\n"},
		{args: b("get", "greeting"), code: exitFailure, check: func(t *testing.T, r cliResult) {
			if r.stdout != "" || !strings.Contains(r.stderr, "no entry") {
				t.Fatalf("miss: stdout %q stderr %q", r.stdout, r.stderr)
			}
		}},
		{args: b("ttl", "greeting"), code: exitFailure, check: func(*testing.T, cliResult) {}},
		{args: b("set", "greeting", "hello")},
		{args: b("get", "greeting"), stdout: "\"hello\"\n"},
		// MessagePack fixstr of 5 bytes: a5, then the UTF-8 bytes (the MessagePack spec).
		{args: b("get", "-raw", "greeting"), stdout: "a568656c6c6f\n"},
		{args: b("exists", "greeting"), stdout: "true\n"},
		{args: b("ttl", "greeting"), check: ttlBetween(300 * time.Second)},
		{args: append(b("set", "short", "v"), "-ttl", "60s"), stdout: ""},
		{args: b("ttl", "short"), check: ttlBetween(time.Minute)},
		{args: b("set", "-json", "doc", `{"n": 1, "f": 2.5, "g": 2.0, "big": 18446744073709551615, "b": {"$bytes": "00ff"}, "t": {"$datetime": "2024-01-01T12:30:45.123456+00:00"}, "list": [1, "a", null, true]}`)},
		{args: b("get", "doc"), check: jsonEquals(`{"n": 1, "f": 2.5, "g": 2.0, "big": 18446744073709551615, "b": {"$bytes": "00ff"}, "t": {"$datetime": "2024-01-01T12:30:45.123456Z"}, "list": [1, "a", null, true]}`)},
		{args: b("get", "doc"), check: func(t *testing.T, r cliResult) {
			if !strings.Contains(r.stdout, `"g": 2.0`) || !strings.Contains(r.stdout, `"n": 1,`) {
				t.Fatalf("floats and integers are not told apart: %s", r.stdout)
			}
		}},
		{args: b("set", "dash", "--", "-5")},
		{args: b("get", "dash"), stdout: "\"-5\"\n"},
		{args: b("set", "-json", "bad", "{nope"), code: exitUsage, check: func(*testing.T, cliResult) {}},
		{args: b("set", "-ttl", "-5s", "k", "v"), code: exitUsage, check: func(*testing.T, cliResult) {}},
		{args: b("del", "greeting"), stdout: "true\n"},
		{args: b("del", "greeting"), stdout: "false\n"},
		{args: b("get", "greeting"), code: exitFailure, check: func(*testing.T, cliResult) {}},
		{args: b("set", "-namespace", "app-a", "shared", "1")},
		{args: b("get", "-namespace", "app-b", "shared"), code: exitFailure, check: func(*testing.T, cliResult) {}},
		{args: b("get", "-namespace", "app-a", "shared"), stdout: "\"1\"\n"},
		{args: b("get", "bad\x01key"), code: exitFailure, check: func(t *testing.T, r cliResult) {
			if !strings.Contains(r.stderr, "invalid key") && !strings.Contains(r.stderr, "control byte") {
				t.Fatalf("stderr %q", r.stderr)
			}
		}},
	})

	// The stored bytes are exactly what the file backend format says: checked with the
	// backend itself, past the command.
	fb, err := file.New(file.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	raw, found, err := fb.Get(context.Background(), "app-a:shared")
	if err != nil || !found || hex.EncodeToString(raw) != "a131" { // fixstr "1"
		t.Fatalf("stored %x found=%v err=%v, want a131", raw, found, err)
	}

	// The environment names the backend and the namespace when flags do not.
	vars := map[string]string{envBackendURL: url, "CACHEKIT_NAMESPACE": "app-a"}
	runSteps(t, vars, []step{{args: []string{"get", "shared"}, stdout: "\"1\"\n"}})
}

func TestDataCommandsSecure(t *testing.T) {
	dir := t.TempDir()
	url := "file://" + dir
	const keyHex = "6161616161616161616161616161616161616161616161616161616161616161"
	withKey := map[string]string{"CACHEKIT_MASTER_KEY": keyHex}
	otherKey := map[string]string{"CACHEKIT_MASTER_KEY": strings.Repeat("62", 32)}
	var sealedHex string
	runSteps(t, withKey, []step{
		{args: []string{"set", "-backend", url, "-secure", "ssn", "123-45-6789"}},
		{args: []string{"get", "-backend", url, "-secure", "ssn"}, stdout: "\"123-45-6789\"\n"},
		{args: []string{"get", "-backend", url, "-raw", "ssn"}, check: func(t *testing.T, r cliResult) {
			sealedHex = strings.TrimSpace(r.stdout)
		}},
		// A plain reader meets ciphertext: an error, never the value and never a miss.
		{args: []string{"get", "-backend", url, "ssn"}, code: exitFailure, check: func(t *testing.T, r cliResult) {
			if r.stdout != "" || strings.Contains(r.stderr, "no entry") {
				t.Fatalf("plain read of ciphertext: stdout %q stderr %q", r.stdout, r.stderr)
			}
		}},
	})
	sealed, err := hex.DecodeString(sealedHex)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("\xab123-45-6789") // fixstr of 11 bytes
	if strings.Contains(string(sealed), "123-45-6789") || len(sealed) != 12+len(plain)+16 {
		t.Fatalf("stored %d bytes %x: not nonce|ciphertext|tag of the plaintext", len(sealed), sealed)
	}
	// Open it independently, with the protocol's AAD for tenant "default" and key "ssn".
	mk, err := encryption.ParseMasterKey(keyHex)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := encryption.NewKeyring(mk, nil, encryption.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	opened, _, err := kr.Open(sealed, encryption.AAD(encryption.DefaultTenant, "ssn", encryption.FormatMsgpack, false))
	if err != nil || string(opened) != string(plain) {
		t.Fatalf("opened %x, %v; want %x", opened, err, plain)
	}

	runSteps(t, otherKey, []step{
		{args: []string{"get", "-backend", url, "-secure", "ssn"}, code: exitFailure, check: func(t *testing.T, r cliResult) {
			if r.stdout != "" || !strings.Contains(r.stderr, "encryption") || strings.Contains(r.stderr, strings.Repeat("62", 32)) {
				t.Fatalf("wrong key: stdout %q stderr %q", r.stdout, r.stderr)
			}
		}},
	})
	runSteps(t, nil, []step{
		{args: []string{"get", "-backend", url, "-secure", "ssn"}, code: exitFailure, check: func(t *testing.T, r cliResult) {
			if !strings.Contains(r.stderr, "master key") {
				t.Fatalf("no key: stderr %q", r.stderr)
			}
		}},
	})
}

func TestDataCommandsOnMemoryBackend(t *testing.T) {
	// Every run has its own in-process backend: what one run stores, the next cannot see.
	runSteps(t, nil, []step{
		{args: []string{"set", "-backend", "memory:", "k", "v"}},
		{args: []string{"exists", "-backend", "memory:", "k"}, stdout: "false\n"},
		{args: []string{"get", "-backend", "memory:", "k"}, code: exitFailure, check: func(*testing.T, cliResult) {}},
		{args: []string{"del", "-backend", "memory:", "k"}, stdout: "false\n"},
	})
}

func TestDataCommandsOnDevServer(t *testing.T) {
	const apiKey = "ck_live_cli_test_key"
	srv, err := devserver.New(devserver.Options{APIKeys: []string{apiKey}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	vars := map[string]string{"CACHEKIT_API_KEY": apiKey, envBackendURL: ts.URL}
	runSteps(t, vars, []step{
		{args: []string{"set", "-ttl", "90s", "greeting", "hello"}},
		{args: []string{"get", "greeting"}, stdout: "\"hello\"\n"},
		{args: []string{"exists", "greeting"}, stdout: "true\n"},
		{args: []string{"ttl", "greeting"}, check: ttlBetween(90 * time.Second)},
		{args: []string{"del", "greeting"}, stdout: "true\n"},
		{args: []string{"get", "greeting"}, code: exitFailure, check: func(*testing.T, cliResult) {}},
	})
	// A wrong API key is an authentication failure that does not print the key.
	bad := map[string]string{"CACHEKIT_API_KEY": "ck_live_wrong_key_value", envBackendURL: ts.URL}
	runSteps(t, bad, []step{
		{args: []string{"get", "greeting"}, code: exitFailure, check: func(t *testing.T, r cliResult) {
			if strings.Contains(r.stderr, "ck_live_wrong_key_value") || !strings.Contains(r.stderr, "auth") {
				t.Fatalf("stderr %q", r.stderr)
			}
		}},
	})
}

func TestBackendURLs(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		vars      map[string]string
		code      int
		stderrHas string
	}{
		{name: "no scheme", url: "localhost:6379", code: exitUsage, stderrHas: "unknown backend scheme"},
		{name: "bare word", url: "redis", code: exitUsage, stderrHas: "no scheme"},
		{name: "unknown scheme", url: "ftp://example.com/", code: exitUsage, stderrHas: `unknown backend scheme "ftp"`},
		{name: "memory with junk", url: "memory:junk", code: exitUsage, stderrHas: "takes nothing"},
		{name: "relative file", url: "file:relative/dir", code: exitUsage, stderrHas: "absolute"},
		{name: "file with a host", url: "file://example.com/tmp/x", code: exitUsage, stderrHas: "no host"},
		{name: "file with a query", url: "file:///tmp/x?mode=1", code: exitUsage, stderrHas: "no query"},
		{name: "memcached without hosts", url: "memcached://", code: exitUsage, stderrHas: "at least one"},
		{name: "memcached without port", url: "memcached://cache", code: exitUsage, stderrHas: "host:port"},
		{name: "memcached bad port", url: "memcached://cache:99999", code: exitUsage, stderrHas: "1 to 65535"},
		{name: "memcached not a URL", url: "memcached:cache:11211", code: exitUsage, stderrHas: "memcached://"},
		{name: "cachekit.io without key", url: "https://api.cachekit.io", code: exitFailure, stderrHas: "CACHEKIT_API_KEY"},
		{name: "cachekit.io custom host refused", url: "https://cache.example.com", vars: map[string]string{"CACHEKIT_API_KEY": "ck_live_abcdefghijkl"}, code: exitFailure, stderrHas: "not allowed"},
		{name: "cachekit.io bad allow flag", url: "https://api.cachekit.io", vars: map[string]string{"CACHEKIT_API_KEY": "ck_live_abcdefghijkl", "CACHEKIT_ALLOW_CUSTOM_HOST": "maybe"}, code: exitFailure, stderrHas: "true or false"},
		{name: "http off loopback refused", url: "http://example.com", vars: map[string]string{"CACHEKIT_API_KEY": "ck_live_abcdefghijkl"}, code: exitFailure, stderrHas: "cachekit.io backend"},
		{name: "redis password never printed", url: "redis://:hunter2-very-secret@127.0.0.1:1/0", code: exitFailure, stderrHas: "redis backend"},
		{name: "rediss password never printed", url: "rediss://user:hunter2-very-secret@127.0.0.1:1/0", code: exitFailure, stderrHas: "rediss backend"},
		{name: "memcached unreachable", url: "memcached://127.0.0.1:1", code: exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.vars, "get", "-timeout", "5s", "-backend", tt.url, "k")
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderrHas)
			}
			for _, secret := range []string{"hunter2", "ck_live_abcdefghijkl"} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("stderr leaks %q: %q", secret, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}
