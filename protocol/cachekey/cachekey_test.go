package cachekey_test

import (
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		namespace, operation string
		want                 error
	}{
		{"a", "b", nil},
		{"0", "9", nil},
		{strings.Repeat("a", 64), strings.Repeat("0", 64), nil},
		{"a.b-c_d", "x.y", nil},
		{"nsapix", "ns", nil},
		{"nsx", "nsapi", nil},
		{"app.", "op.", nil},
		{strings.Repeat("a", 65), "b", cachekey.ErrInvalidSegment},
		{"a", "", cachekey.ErrInvalidSegment},
		{"A", "b", cachekey.ErrInvalidSegment},
		{"a", "B", cachekey.ErrInvalidSegment},
		{"a\n", "b", cachekey.ErrInvalidSegment},
		{"\na", "b", cachekey.ErrInvalidSegment},
		{"a", "b\x00", cachekey.ErrInvalidSegment},
		{"a..b", "b", cachekey.ErrInvalidSegment},
		{"a", "..", cachekey.ErrInvalidSegment},
		{"a", "b..", cachekey.ErrInvalidSegment},
		{".a", "b", cachekey.ErrInvalidSegment},
		{"a", "é", cachekey.ErrInvalidSegment},
		{"a:b", "c", cachekey.ErrInvalidSegment},
		{"ns", "b", cachekey.ErrReservedNamespace},
		{"nsapi", "b", cachekey.ErrReservedNamespace},
	}
	for _, tt := range tests {
		err := cachekey.Validate(tt.namespace, tt.operation)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Validate(%q, %q) = %v, want %v", tt.namespace, tt.operation, err, tt.want)
		}
		_, err = cachekey.Interop(tt.namespace, tt.operation)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Interop(%q, %q) = %v, want %v", tt.namespace, tt.operation, err, tt.want)
		}
	}
}

type userID int64
type label string
type rawBytes []byte
type googleUUID [16]byte
type tags []string

// TestEquivalentArguments: each row lists Go spellings of one interop value; all must
// give the bytes of the first, whose canonical encoding is worked out by hand.
func TestEquivalentArguments(t *testing.T) {
	u := cachekey.UUID{0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0x00, 0x00}
	uuidHex := "d924" + hex.EncodeToString([]byte("550e8400-e29b-41d4-a716-446655440000"))
	tests := []struct {
		name  string
		hex   string // canonical encoding of the value alone
		forms []any
	}{
		{"int 42", "2a", []any{42, int8(42), uint16(42), userID(42), 42.0, float32(42), big.NewInt(42), ptr(42), ptr(ptr(42.0))}},
		{"negative", "d0df", []any{-33, int64(-33), -33.0, big.NewInt(-33)}},
		{"zero", "00", []any{0, uint(0), math.Copysign(0, -1), float32(0)}},
		{"2^63 collapses to uint64", "cf8000000000000000", []any{uint64(1 << 63), float64(1 << 63)}},
		{"-2^63", "d38000000000000000", []any{int64(math.MinInt64), float64(math.MinInt64)}},
		{"2^64 stays a float", "cb43f0000000000000", []any{float64(1 << 64), float32(1 << 64)}},
		{"fraction", "cb3ff8000000000000", []any{1.5, float32(1.5)}},
		{"string", "a3616263", []any{"abc", label("abc"), ptr("abc")}},
		{"bytes", "c403010203", []any{[]byte{1, 2, 3}, rawBytes{1, 2, 3}, [3]byte{1, 2, 3}}},
		{"empty bytes", "c400", []any{[]byte{}, []byte(nil), rawBytes(nil)}},
		{"uuid", uuidHex, []any{u, [16]byte(u), googleUUID(u), u.String(), &u}},
		{"list", "92a161a162", []any{[]any{"a", "b"}, []string{"a", "b"}, tags{"a", "b"}, [2]label{"a", "b"}}},
		{"empty list", "90", []any{[]any{}, []any(nil), []int(nil), [0]int{}}},
		{"map", "82a16101a16202", []any{map[string]any{"b": 2, "a": 1}, map[string]int{"a": 1, "b": 2}, map[label]float64{"a": 1, "b": 2}}},
		{"empty map", "80", []any{map[string]any{}, map[string]any(nil), map[string]int(nil)}},
		{"nil", "c0", []any{nil, (*int)(nil), (*big.Int)(nil), (*cachekey.UUID)(nil)}},
		{"set", "93010203", []any{cachekey.Set{3, 1, 2}, cachekey.Set{1, 2, 3, 3, 2.0}, cachekey.NewSet(2, 3, 1), &cachekey.Set{3, 2, 1}, []int{1, 2, 3}}},
		{"time", "ce65920080", []any{
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 1, 1, 5, 30, 0, 0, time.FixedZone("", 5*3600+1800)),
			time.Date(2024, 1, 1, 0, 0, 0, 999, time.UTC), // sub-microsecond floored
			1704067200,
		}},
		{"pre-epoch time floors", "cbbfec0ca600b02928", []any{
			time.Date(1969, 12, 31, 23, 59, 59, 123456000, time.UTC),
			time.Date(1969, 12, 31, 23, 59, 59, 123456999, time.UTC),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "91" + tt.hex
			for i, form := range tt.forms {
				b, err := cachekey.CanonicalArgs(form)
				if err != nil {
					t.Fatalf("form %d (%T): %v", i, form, err)
				}
				if got := hex.EncodeToString(b); got != want {
					t.Fatalf("form %d (%T) = %s, want %s", i, form, got, want)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestArgumentErrors(t *testing.T) {
	cycle := []any{nil}
	cycle[0] = cycle
	var selfRef any
	selfRef = &selfRef
	deep := any(1)
	for range 99 {
		deep = []any{deep}
	}
	tests := []struct {
		name  string
		arg   any
		want  error
		where string
	}{
		{"struct", struct{ ID int }{1}, cachekey.ErrUnsupportedType, "args[0]"},
		{"map with int keys", map[int]string{1: "a"}, cachekey.ErrUnsupportedType, "args[0]"},
		{"map[T]struct{} set", map[string]struct{}{"a": {}}, cachekey.ErrUnsupportedType, "args[0][map value]"},
		{"channel", make(chan int), cachekey.ErrUnsupportedType, "args[0]"},
		{"function", func() {}, cachekey.ErrUnsupportedType, "args[0]"},
		{"complex", 1 + 2i, cachekey.ErrUnsupportedType, "args[0]"},
		{"NaN in a typed slice", []float64{1, math.NaN()}, cachekey.ErrNonFinite, "args[0][1]"},
		{"infinity in a set", cachekey.Set{1, math.Inf(-1)}, cachekey.ErrNonFinite, "args[0]{set element}"},
		{"float32 infinity", float32(math.Inf(1)), cachekey.ErrNonFinite, "args[0]"},
		{"big.Int above 2^64-1", new(big.Int).Lsh(big.NewInt(1), 64), cachekey.ErrOutOfRange, "args[0]"},
		{"big.Int below -2^63", new(big.Int).Sub(big.NewInt(math.MinInt64), big.NewInt(1)), cachekey.ErrOutOfRange, "args[0]"},
		{"time beyond int64 microseconds", time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), cachekey.ErrOutOfRange, "args[0]"},
		{"invalid UTF-8 string", "\xff", cachekey.ErrInvalidUTF8, "args[0]"},
		{"invalid UTF-8 named string", label("a\xc0"), cachekey.ErrInvalidUTF8, "args[0]"},
		{"invalid UTF-8 key", map[string]any{"\xfe": 1}, cachekey.ErrInvalidUTF8, "args[0]"},
		{"slice cycle", cycle, cachekey.ErrTooDeep, "args[0]"},
		{"pointer cycle", selfRef, cachekey.ErrTooDeep, "args[0]"},
		{"100 levels", []any{deep}, cachekey.ErrTooDeep, "args[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cachekey.CanonicalArgs("ok", tt.arg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var ke *cachekey.KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %T is not a *KeyError", err)
			}
			want := strings.Replace(tt.where, "args[0]", "args[1]", 1)
			if !strings.HasPrefix(ke.Where, want) {
				t.Fatalf("error at %q, want it at %q", ke.Where, want)
			}
		})
	}
	// 99 levels inside the argument array make 100 in all: still accepted.
	if _, err := cachekey.CanonicalArgs(deep); err != nil {
		t.Fatalf("100 levels refused: %v", err)
	}
}

// TestErrorsNeverQuoteValues: an argument's value stays out of the message.
func TestErrorsNeverQuoteValues(t *testing.T) {
	secret := "123-45-6789"
	args := []any{
		map[string]any{secret: math.NaN()},
		[]any{secret, struct{ SSN string }{secret}},
		cachekey.Set{secret, make(chan string)},
	}
	for _, a := range args {
		_, err := cachekey.Interop("users", "get", a)
		if err == nil {
			t.Fatal("accepted")
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error quotes the value: %v", err)
		}
	}
}

// TestArgumentsNotModified: normalisation works on copies.
func TestArgumentsNotModified(t *testing.T) {
	list := []any{2.0, cachekey.Set{2, 1}}
	m := map[string]any{"f": 1.0}
	args := []any{list, m, 3.0}
	if _, err := cachekey.CanonicalArgs(args...); err != nil {
		t.Fatal(err)
	}
	if args[2] != 3.0 || list[0] != 2.0 || m["f"] != 1.0 || list[1].(cachekey.Set)[0] != 2 {
		t.Fatalf("arguments changed: %#v %#v %#v", args, list, m)
	}
}

func TestParseUUID(t *testing.T) {
	for _, bad := range []string{"", "550e8400e29b41d4a716446655440000", "550e8400-e29b-41d4-a716-44665544000g", "{550e8400-e29b-41d4-a716-446655440000}", "550e8400-e29b-41d4-a716_446655440000"} {
		if _, err := cachekey.ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
	u, err := cachekey.ParseUUID("00112233-4455-6677-8899-AaBbCcDdEeFf")
	if err != nil || u != (cachekey.UUID{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}) {
		t.Fatalf("ParseUUID = %v, %v", u, err)
	}
	if s := u.String(); s != "00112233-4455-6677-8899-aabbccddeeff" {
		t.Fatalf("String = %s", s)
	}
}
