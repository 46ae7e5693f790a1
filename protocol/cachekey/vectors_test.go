package cachekey_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"golang.org/x/crypto/blake2b"
)

type interopVectors struct {
	KeyVectors   []keyVector   `json:"key_vectors"`
	ErrorVectors []errorVector `json:"error_vectors"`
}

type keyVector struct {
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
	Operation        string `json:"operation"`
	Args             []any  `json:"args"`
	CanonicalArgsHex string `json:"canonical_args_hex"`
	ArgsHash         string `json:"args_hash"`
	ExpectedKey      string `json:"expected_key"`
}

type errorVector struct {
	Name      string  `json:"name"`
	Namespace *string `json:"namespace"`
	Operation *string `json:"operation"`
	Args      []any   `json:"args"`
}

// name names a vector's subtest (for vectortest.Each).
func (v keyVector) name() string   { return v.Name }
func (v errorVector) name() string { return v.Name }

// TestKeyVectors checks canonical_args_hex, args_hash and expected_key of every key
// vector.
func TestKeyVectors(t *testing.T) {
	var f interopVectors
	vectortest.Load(t, "interop-mode.json", &f)
	if len(f.KeyVectors) != 44 {
		t.Errorf("want 44 key vectors, have %d", len(f.KeyVectors))
	}
	vectortest.Each(t, "interop-mode.json", "key_vectors", f.KeyVectors, keyVector.name, func(t *testing.T, vec keyVector) {
		args := fromTagged(t, vec.Args).([]any)
		canonical, err := cachekey.CanonicalArgs(args...)
		if err != nil {
			t.Fatalf("CanonicalArgs: %v", err)
		}
		if got := hex.EncodeToString(canonical); got != vec.CanonicalArgsHex {
			t.Fatalf("canonical args\n got %s\nwant %s", got, vec.CanonicalArgsHex)
		}
		sum := blake2b.Sum256(canonical)
		if got := hex.EncodeToString(sum[:]); got != vec.ArgsHash {
			t.Fatalf("args hash %s, want %s", got, vec.ArgsHash)
		}
		key, err := cachekey.Interop(vec.Namespace, vec.Operation, args...)
		if err != nil {
			t.Fatalf("Interop: %v", err)
		}
		if key != vec.ExpectedKey {
			t.Fatalf("key\n got %s\nwant %s", key, vec.ExpectedKey)
		}
		if len(key) > cachekey.MaxKeyLength {
			t.Fatalf("key of %d characters", len(key))
		}
		if err := cachekey.Validate(vec.Namespace, vec.Operation); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}

// TestErrorVectors checks that every error vector is rejected, by Interop and, for the
// argument rows, by CanonicalArgs, with the class of error the row describes.
func TestErrorVectors(t *testing.T) {
	var f interopVectors
	vectortest.Load(t, "interop-mode.json", &f)
	if len(f.ErrorVectors) != 32 {
		t.Errorf("want 32 error vectors, have %d", len(f.ErrorVectors))
	}
	vectortest.Each(t, "interop-mode.json", "error_vectors", f.ErrorVectors, errorVector.name, func(t *testing.T, vec errorVector) {
		namespace, operation := "t", "op"
		segmentRow := vec.Namespace != nil || vec.Operation != nil
		if vec.Namespace != nil {
			namespace = *vec.Namespace
		}
		if vec.Operation != nil {
			operation = *vec.Operation
		}
		args := fromTagged(t, vec.Args).([]any)
		key, err := cachekey.Interop(namespace, operation, args...)
		if err == nil {
			t.Fatalf("Interop accepted it: %s", key)
		}
		var ke *cachekey.KeyError
		if !errors.As(err, &ke) {
			t.Fatalf("error %v is not a *KeyError", err)
		}
		if segmentRow {
			if !errors.Is(err, cachekey.ErrInvalidSegment) && !errors.Is(err, cachekey.ErrReservedNamespace) {
				t.Fatalf("error %v is not a segment error", err)
			}
			if cachekey.Validate(namespace, operation) == nil {
				t.Fatal("Validate accepted the segments")
			}
			return
		}
		if _, err := cachekey.CanonicalArgs(args...); !errors.Is(err, wantArgError(vec.Name)) {
			t.Fatalf("CanonicalArgs error %v, want %v", err, wantArgError(vec.Name))
		}
	})
}

func wantArgError(name string) error {
	switch name {
	case "reject_nan", "reject_infinity", "reject_negative_infinity", "reject_nan_nested":
		return cachekey.ErrNonFinite
	case "reject_naive_datetime", "reject_naive_datetime_nested":
		return cachekey.ErrUnsupportedType
	default:
		return cachekey.ErrOutOfRange
	}
}
