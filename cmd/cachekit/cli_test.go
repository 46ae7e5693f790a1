package main

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRunWithoutArgumentsPrintsUsage(t *testing.T) {
	r := runCLI(t, nil)
	if r.code != exitUsage {
		t.Fatalf("exit status %d, want %d", r.code, exitUsage)
	}
	if r.stdout != "" {
		t.Errorf("usage went to stdout: %q", r.stdout)
	}
	for name := range commands() {
		if !strings.Contains(r.stderr, "\t"+name+" ") {
			t.Errorf("usage does not list %q:\n%s", name, r.stderr)
		}
	}
}

func TestRunDispatch(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdoutHas  string
		stderrHas  string
		stdoutNone bool
	}{
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderrHas: `unknown command "frobnicate"`, stdoutNone: true},
		{name: "unknown command is escaped", args: []string{"a\x1b[2Jb"}, code: exitUsage, stderrHas: `"a\x1b[2Jb"`, stdoutNone: true},
		{name: "help", args: []string{"help"}, code: exitOK, stdoutHas: "Commands:"},
		{name: "-h", args: []string{"-h"}, code: exitOK, stdoutHas: "Commands:"},
		{name: "help for a command", args: []string{"help", "set"}, code: exitOK, stdoutHas: "-ttl"},
		{name: "help for a flagless command", args: []string{"help", "key"}, code: exitOK, stdoutHas: "usage: cachekit key NAMESPACE OPERATION ARGS_JSON"},
		{name: "help for an unknown command", args: []string{"help", "nope"}, code: exitUsage, stderrHas: "unknown command"},
		{name: "help with two arguments", args: []string{"help", "get", "set"}, code: exitUsage},
		{name: "command -h", args: []string{"get", "-h"}, code: exitOK, stdoutHas: "usage: cachekit get"},
		{name: "unknown flag", args: []string{"keygen", "-frob"}, code: exitUsage, stderrHas: "flag provided but not defined: -frob", stdoutNone: true},
		{name: "bad flag value", args: []string{"keygen", "-bytes", "many"}, code: exitUsage, stderrHas: "invalid value", stdoutNone: true},
		{name: "extra argument", args: []string{"keygen", "extra"}, code: exitUsage, stderrHas: "takes no arguments", stdoutNone: true},
		{name: "data command without backend", args: []string{"get", "k"}, code: exitUsage, stderrHas: "no backend", stdoutNone: true},
		{name: "data command missing argument", args: []string{"set", "-backend", "memory:", "k"}, code: exitUsage, stderrHas: "expected 2 argument(s), got 1", stdoutNone: true},
		{name: "version", args: []string{"version"}, code: exitOK, stdoutHas: "cachekit "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdoutHas) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tt.stdoutHas)
			}
			if !strings.Contains(r.stderr, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderrHas)
			}
			if tt.stdoutNone && r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if r.code == exitFailure || (r.code == exitUsage && len(tt.args) > 0 && tt.args[0] != "help") {
				// The first stderr line is the one-line error.
				first, _, _ := strings.Cut(r.stderr, "\n")
				if !strings.HasPrefix(first, "cachekit ") && !strings.HasPrefix(first, "cachekit: ") {
					t.Errorf("error line %q does not start with the program name", first)
				}
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		pos     []string
		ttl     time.Duration
		json    bool
		ns      string
		wantErr string // "" for none, "help" for flag.ErrHelp
	}{
		{name: "flags first", args: []string{"-ttl", "5s", "k", "v"}, pos: []string{"k", "v"}, ttl: 5 * time.Second},
		{name: "flags last", args: []string{"k", "v", "-ttl", "60s"}, pos: []string{"k", "v"}, ttl: time.Minute},
		{name: "flags between", args: []string{"k", "-json", "v", "-ns=a"}, pos: []string{"k", "v"}, json: true, ns: "a"},
		{name: "double dash ends flags", args: []string{"k", "--", "-5", "-json"}, pos: []string{"k", "-5", "-json"}},
		{name: "double dash as a flag value", args: []string{"-ns", "--", "k"}, pos: []string{"k"}, ns: "--"},
		{name: "bool flag before double dash", args: []string{"-json", "--", "-x"}, pos: []string{"-x"}, json: true},
		{name: "no arguments", args: nil, pos: nil},
		{name: "single dash is positional", args: []string{"-", "v"}, pos: []string{"-", "v"}},
		{name: "unknown flag", args: []string{"k", "-nope"}, wantErr: "flag provided but not defined"},
		{name: "missing flag value", args: []string{"k", "-ttl"}, wantErr: "flag needs an argument"},
		{name: "help", args: []string{"k", "-help"}, wantErr: "help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet("test")
			ttl := fs.Duration("ttl", 0, "")
			asJSON := fs.Bool("json", false, "")
			ns := fs.String("ns", "", "")
			pos, err := parseArgs(fs, tt.args)
			switch {
			case tt.wantErr == "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Fatalf("err = %v, want flag.ErrHelp", err)
				}
				return
			case tt.wantErr != "":
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pos, tt.pos) {
				t.Errorf("positional %q, want %q", pos, tt.pos)
			}
			if *ttl != tt.ttl || *asJSON != tt.json || *ns != tt.ns {
				t.Errorf("flags ttl=%v json=%v ns=%q, want %v %v %q", *ttl, *asJSON, *ns, tt.ttl, tt.json, tt.ns)
			}
		})
	}
}

func TestReportScrubsSecretsAndFoldsLines(t *testing.T) {
	const masterKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	const apiKey = "ck_live_supersecretvalue"
	vars := map[string]string{
		"CACHEKIT_MASTER_KEY":           masterKey,
		"CACHEKIT_PREVIOUS_MASTER_KEYS": "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100, 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"CACHEKIT_API_KEY":              apiKey,
	}
	var stdout, stderr strings.Builder
	e := &env{stdout: &stdout, stderr: &stderr, lookup: func(n string) (string, bool) { v, ok := vars[n]; return v, ok }}
	err := errors.New("cachekit: failed with " + masterKey + " and " + apiKey +
		"\nand 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\nthen \x1b[31m")
	code := report(e, keyCommand, err)
	if code != exitFailure {
		t.Fatalf("exit status %d, want %d", code, exitFailure)
	}
	got := stderr.String()
	for _, secret := range []string{masterKey, apiKey, "0123456789abcdef0123456789abcdef"} {
		if strings.Contains(got, secret) {
			t.Errorf("the error line leaks a secret: %q", got)
		}
	}
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
		t.Errorf("the error is not one line: %q", got)
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("the error line holds a raw escape: %q", got)
	}
	if !strings.HasPrefix(got, "cachekit key: failed with [redacted]") {
		t.Errorf("unexpected error line %q", got)
	}
}
