package cachekey_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// FuzzCanonicalArgs decodes arbitrary MessagePack into Go values and uses them as the
// argument list. Invariants: no panic; every failure is a *KeyError; accepted arguments
// give canonical bytes that are a fixed point (decoding them and hashing the decoded
// arguments again gives the same bytes).
func FuzzCanonicalArgs(f *testing.F) {
	var v struct {
		KeyVectors []struct {
			Hex string `json:"canonical_args_hex"`
		} `json:"key_vectors"`
	}
	vectortest.Load(f, "interop-mode.json", &v)
	for _, k := range v.KeyVectors {
		b, _ := hex.DecodeString(k.Hex)
		f.Add(b)
	}
	f.Add([]byte{0x91, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0}) // [NaN]
	f.Add([]byte{0x91, 0x81, 0x01, 0x02})                   // [{1: 2}]
	f.Add([]byte{0x91, 0xcb, 0x43, 0xf0, 0, 0, 0, 0, 0, 0}) // [2^64 as a float]
	f.Fuzz(func(t *testing.T, data []byte) {
		var decoded any
		if codec.Unmarshal(data, &decoded) != nil {
			return
		}
		args, ok := decoded.([]any)
		if !ok {
			args = []any{decoded}
		}
		canonical, err := cachekey.CanonicalArgs(args...)
		if err != nil {
			var ke *cachekey.KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v is not a *KeyError", err)
			}
			return
		}
		var back []any
		if err := codec.UnmarshalStrict(canonical, &back); err != nil {
			t.Fatalf("canonical args do not decode: %v", err)
		}
		again, err := cachekey.CanonicalArgs(back...)
		if err != nil || !bytes.Equal(again, canonical) {
			t.Fatalf("not a fixed point: %x vs %x (%v)", again, canonical, err)
		}
	})
}

var segmentPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// FuzzValidate compares segment validation with the spec's regular expression (Go's
// RE2 "$" matches only at the end of the text, so it is a full-string match).
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"users", "get_user", "a..b", "ns", "nsapi", "users\n", "Users", "é", strings.Repeat("a", 64), strings.Repeat("a", 65), ".a", "a.", ""} {
		f.Add(s, "op")
		f.Add("t", s)
	}
	f.Fuzz(func(t *testing.T, namespace, operation string) {
		valid := func(s string) bool { return segmentPattern.MatchString(s) && !strings.Contains(s, "..") }
		want := valid(namespace) && valid(operation) && namespace != "ns" && namespace != "nsapi"
		err := cachekey.Validate(namespace, operation)
		if (err == nil) != want {
			t.Fatalf("Validate(%q, %q) = %v, want valid=%v", namespace, operation, err, want)
		}
		key, err := cachekey.Interop(namespace, operation)
		if (err == nil) != want {
			t.Fatalf("Interop(%q, %q) = %v, want valid=%v", namespace, operation, err, want)
		}
		if want && (len(key) > cachekey.MaxKeyLength || !strings.HasPrefix(key, namespace+":"+operation+":")) {
			t.Fatalf("key %q", key)
		}
	})
}
