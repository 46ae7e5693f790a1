package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

type keyVector struct {
	Name        string          `json:"name"`
	Namespace   *string         `json:"namespace"`
	Operation   *string         `json:"operation"`
	Args        json.RawMessage `json:"args"`
	ExpectedKey string          `json:"expected_key"`
}

func (v keyVector) name() string { return v.Name }

func TestKeyCommandInteropVectors(t *testing.T) {
	var im struct {
		KeyVectors   []keyVector `json:"key_vectors"`
		ErrorVectors []keyVector `json:"error_vectors"`
	}
	vectortest.Load(t, "interop-mode.json", &im)

	vectortest.Each(t, "interop-mode.json", "key_vectors", im.KeyVectors, keyVector.name, func(t *testing.T, v keyVector) {
		// Through the whole command: the args travel as one shell argument.
		r := runCLI(t, nil, "key", *v.Namespace, *v.Operation, string(v.Args))
		if r.code != exitOK {
			t.Fatalf("exit status %d: %s", r.code, r.stderr)
		}
		if got := strings.TrimSuffix(r.stdout, "\n"); got != v.ExpectedKey {
			t.Errorf("key %s, want %s", got, v.ExpectedKey)
		}
	})

	vectortest.Each(t, "interop-mode.json", "error_vectors", im.ErrorVectors, keyVector.name, func(t *testing.T, v keyVector) {
		ns, op := "users", "get_user" // valid segments where the vector tests the args
		if v.Namespace != nil {
			ns = *v.Namespace
		}
		if v.Operation != nil {
			op = *v.Operation
		}
		args := string(v.Args)
		if len(v.Args) == 0 {
			args = "[]"
		}
		r := runCLI(t, nil, "key", ns, op, args)
		if r.code == exitOK || r.stdout != "" {
			t.Fatalf("accepted: exit %d, stdout %q", r.code, r.stdout)
		}
		if strings.Count(r.stderr, "\n") < 1 || !strings.HasPrefix(r.stderr, "cachekit key: ") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
}

func TestKeyCommandArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{name: "too few", args: []string{"users", "get_user"}, code: exitUsage},
		{name: "too many", args: []string{"users", "get_user", "[]", "[]"}, code: exitUsage},
		{name: "not JSON", args: []string{"users", "get_user", "[42"}, code: exitUsage},
		{name: "not an array", args: []string{"users", "get_user", `{"id": 42}`}, code: exitUsage},
		{name: "two documents", args: []string{"users", "get_user", "[] []"}, code: exitUsage},
		{name: "unknown tag", args: []string{"users", "get_user", `[{"$decimal": "1.5"}]`}, code: exitUsage},
		{name: "too deep", args: []string{"users", "get_user", strings.Repeat("[", 200) + strings.Repeat("]", 200)}, code: exitUsage},
		{name: "bad segment", args: []string{"Users", "get_user", "[]"}, code: exitFailure},
		{name: "ok", args: []string{"users", "get_user", "[42]"}, code: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"key"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
		})
	}
}
