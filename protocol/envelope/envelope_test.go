package envelope

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/zeebo/xxh3"
)

// testInput returns deterministic test data of n bytes: random bytes, a small
// alphabet with runs (compressible), or text-like records.
func testInput(rng *rand.Rand, kind string, n int) []byte {
	b := make([]byte, n)
	switch kind {
	case "random":
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	case "runs":
		for i := 0; i < n; {
			c := byte('a' + rng.IntN(4))
			for run := 1 + rng.IntN(40); run > 0 && i < n; run-- {
				b[i] = c
				i++
			}
		}
	default: // records
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteString(`{"id":`)
			sb.WriteString(strings.Repeat("7", 1+rng.IntN(6)))
			sb.WriteString(`,"name":"user`)
			sb.WriteByte(byte('a' + rng.IntN(26)))
			sb.WriteString(`","active":true},`)
		}
		copy(b, sb.String())
	}
	return b
}

// checkCanonical checks an envelope's layout against values computed independently
// of Store: shortest bin header for the block, checksum elements equal to the
// big-endian xxHash3-64 of the input, original_size and format.
func checkCanonical(t *testing.T, env, input []byte, format string) {
	t.Helper()
	f := decodedFields(t, env)
	if env[0] != 0x94 || env[1] != []byte{0, 0, 0xc4, 0xc5, 0, 0xc6}[binHeaderLen(len(f.compressed))] {
		t.Fatalf("header %x is not fixarray(4) + shortest bin for %d bytes", env[:2], len(f.compressed))
	}
	if binary.BigEndian.Uint64(f.checksum[:]) != xxh3.Hash(input) {
		t.Fatalf("checksum %x is not xxh3 of the input", f.checksum)
	}
	if f.originalSize != uint64(len(input)) || string(f.format) != format {
		t.Fatalf("original_size %d / format %q", f.originalSize, f.format)
	}
}

func TestStoreRetrieveRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 5, 12, 13, 14, 15, 16, 255, 256, 1000, 65535, 65536, 65547, 1 << 20}
	for range 12 {
		sizes = append(sizes, rng.IntN(1<<20+1))
	}
	for _, kind := range []string{"random", "runs", "records"} {
		for _, n := range sizes {
			input := testInput(rng, kind, n)
			env, err := Store(input, FormatMsgpack)
			if err != nil {
				t.Fatalf("%s/%d: Store: %v", kind, n, err)
			}
			checkCanonical(t, env, input, FormatMsgpack)
			data, format, err := Retrieve(env)
			if err != nil {
				t.Fatalf("%s/%d: Retrieve: %v", kind, n, err)
			}
			if !bytes.Equal(data, input) || format != FormatMsgpack {
				t.Fatalf("%s/%d: round trip changed the data", kind, n)
			}
			if n > 0 && &data[0] == &input[0] {
				t.Fatalf("Retrieve returned the caller's slice")
			}
		}
	}
}

func TestStoreEmptyIsOneZeroByteBlock(t *testing.T) {
	t.Parallel()
	env, err := Store(nil, FormatMsgpack)
	if err != nil {
		t.Fatal(err)
	}
	f := decodedFields(t, env)
	if !bytes.Equal(f.compressed, []byte{0}) || f.originalSize != 0 {
		t.Fatalf("empty input stored as block %x, original_size %d", f.compressed, f.originalSize)
	}
	data, _, err := Retrieve(env)
	if err != nil || len(data) != 0 {
		t.Fatalf("Retrieve = %x, %v", data, err)
	}
}

func TestStoreFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"msgpack", "x", strings.Repeat("f", 31), strings.Repeat("f", 32), strings.Repeat("f", 300), "é"} {
		env, err := Store([]byte("payload"), format)
		if err != nil {
			t.Fatalf("Store(%d-byte format): %v", len(format), err)
		}
		checkCanonical(t, env, []byte("payload"), format)
		if _, got, err := Retrieve(env); err != nil || got != format {
			t.Fatalf("format %q came back as %q, %v", format, got, err)
		}
	}
	for _, format := range []string{"", "\xff"} {
		if _, err := Store([]byte("x"), format); !errors.Is(err, ErrInvalidFormat) {
			t.Fatalf("Store(format %q) = %v, want ErrInvalidFormat", format, err)
		}
	}
}

// TestSizeCapsBeforeWork feeds inputs one byte over the caps. The buffers are
// allocated but never touched, so they cost address space, not memory.
func TestSizeCapsBeforeWork(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 2 x 512 MiB of address space")
	}
	big := make([]byte, MaxEnvelopeSize+1)
	if _, err := Store(big, FormatMsgpack); !errors.Is(err, ErrOriginalTooLarge) {
		t.Fatalf("Store(512 MiB + 1) = %v", err)
	}
	_, _, err := Retrieve(big)
	var re *RejectError
	if !errors.As(err, &re) || re.Step != StepSize || !errors.Is(err, ErrEnvelopeTooLarge) {
		t.Fatalf("Retrieve(512 MiB + 1) = %v", err)
	}
}

// envelopeOf builds an envelope from raw element encodings, for malformed cases.
func envelopeOf(elements ...string) []byte {
	var b []byte
	for _, e := range elements {
		b = append(b, e...)
	}
	return b
}

func TestRetrieveRejects(t *testing.T) {
	t.Parallel()
	// simple_string_bin's elements, from wire-format.json.
	const (
		block    = "\xc4\x12\xf0\x01hello, cachekit!"
		checksum = "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3"
		size16   = "\x10"
		format   = "\xa7msgpack"
	)
	deep := strings.Repeat("\x91", 101) + "\x00"
	tests := []struct {
		name string
		in   []byte
		step Step
		err  error
	}{
		{"nil", nil, StepDecode, ErrDecodeBounds},
		{"one byte fixarray", []byte{0x94}, StepDecode, ErrDecodeBounds},
		{"not an array", []byte{0x43}, StepDecode, ErrMalformed},
		{"map", envelopeOf("\x84", block, checksum, size16, format), StepDecode, ErrDecodeBounds},
		{"reserved byte c1", []byte{0xc1}, StepDecode, ErrDecodeBounds},
		{"nesting 101 deep", []byte(deep), StepDecode, ErrDecodeBounds},
		{"bin32 claims 4 GiB", envelopeOf("\x94\xc6\xff\xff\xff\xff"), StepDecode, ErrDecodeBounds},
		{"array32 claims 4 G elements", envelopeOf("\x94\xdd\xff\xff\xff\xff\x00"), StepDecode, ErrDecodeBounds},
		{"trailing byte", envelopeOf("\x94", block, checksum, size16, format, "\x00"), StepDecode, ErrMalformed},
		{"second envelope appended", envelopeOf("\x94", block, checksum, size16, format, "\x94", block, checksum, size16, format), StepDecode, ErrMalformed},
		{"compressed as str", envelopeOf("\x94\xb2\xf0\x01hello, cachekit!", checksum, size16, format), StepDecode, ErrMalformed},
		{"compressed nil", envelopeOf("\x94\xc0", checksum, size16, format), StepDecode, ErrMalformed},
		{"legacy negative byte", envelopeOf("\x94\x92\xff\x00", checksum, "\x00", format), StepDecode, ErrMalformed},
		{"legacy byte as float", envelopeOf("\x94\x91\xca\x00\x00\x00\x00", checksum, "\x00", format), StepDecode, ErrMalformed},
		{"checksum as bin8", envelopeOf("\x94", block, "\xc4\x08\x6d\x8a\x34\xb6\x3a\x3c\x52\xd3", size16, format), StepDecode, ErrMalformed},
		{"checksum element 256", envelopeOf("\x94", block, "\x98\xcd\x01\x00\x01\x02\x03\x04\x05\x06\x07", size16, format), StepDecode, ErrMalformed},
		{"original_size negative", envelopeOf("\x94", block, checksum, "\xff", format), StepDecode, ErrMalformed},
		{"original_size int8 negative", envelopeOf("\x94", block, checksum, "\xd0\x80", format), StepDecode, ErrMalformed},
		{"original_size float", envelopeOf("\x94", block, checksum, "\xcb\x40\x30\x00\x00\x00\x00\x00\x00", format), StepDecode, ErrMalformed},
		{"original_size nil", envelopeOf("\x94", block, checksum, "\xc0", format), StepDecode, ErrMalformed},
		{"format bin", envelopeOf("\x94", block, checksum, size16, "\xc4\x07msgpack"), StepDecode, ErrMalformed},
		{"format invalid utf8", envelopeOf("\x94", block, checksum, size16, "\xa1\xff"), StepDecode, ErrMalformed},
		{"original_size 2^32", envelopeOf("\x94", block, checksum, "\xcf\x00\x00\x00\x01\x00\x00\x00\x00", format), StepOriginalCap, ErrOriginalTooLarge},
		{"original_size cap + 1 as uint32", envelopeOf("\x94", block, checksum, "\xce\x20\x00\x00\x01", format), StepOriginalCap, ErrOriginalTooLarge},
		{"original_size max uint64", envelopeOf("\x94", block, checksum, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", format), StepOriginalCap, ErrOriginalTooLarge},
		{"empty legacy compressed", envelopeOf("\x94\x90", checksum, "\x00", format), StepRatio, ErrEmptyCompressed},
		{"ratio 1000 x 18 + 1", envelopeOf("\x94", block, checksum, "\xcd\x46\x51", format), StepRatio, ErrRatio},
		{"ratio exactly 1000 passes step 5", envelopeOf("\x94", block, checksum, "\xcd\x46\x50", format), StepDecompress, ErrLength},
		{"block longer than original_size", envelopeOf("\x94", block, checksum, "\x0f", format), StepDecompress, ErrDecompress},
		{"block truncated", envelopeOf("\x94\xc4\x05\xf0\x01hel", checksum, size16, format), StepDecompress, ErrDecompress},
		{"offset before start", envelopeOf("\x94\xc4\x03\x04\x01\x00", checksum, "\x08", format), StepDecompress, ErrDecompress},
		{"checksum of other data", envelopeOf("\x94\xc4\x02\x10\x00", checksum, "\x01", format), StepChecksum, ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, _, err := Retrieve(tt.in)
			var re *RejectError
			if !errors.As(err, &re) {
				t.Fatalf("Retrieve = %x, %v; want a *RejectError", data, err)
			}
			if re.Step != tt.step || !errors.Is(err, tt.err) || !errors.Is(err, ErrRejected) {
				t.Fatalf("Retrieve error = %v (%v); want %v at %v", err, re.Step, tt.err, tt.step)
			}
			if data != nil {
				t.Fatalf("data returned with an error")
			}
		})
	}
}

func TestRetrieveAcceptsNonCanonicalWidths(t *testing.T) {
	t.Parallel()
	// simple_string's fields written with wider headers than needed: rmp-serde reads
	// these, so a reader must too; only writers are held to the shortest form.
	const input = "hello, cachekit!"
	tests := map[string][]byte{
		"array16 outer":         envelopeOf("\xdc\x00\x04\xc4\x12\xf0\x01", input, "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\x10\xa7msgpack"),
		"bin16 block":           envelopeOf("\x94\xc5\x00\x12\xf0\x01", input, "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\x10\xa7msgpack"),
		"uint64 original_size":  envelopeOf("\x94\xc4\x12\xf0\x01", input, "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\xcf\x00\x00\x00\x00\x00\x00\x00\x10\xa7msgpack"),
		"int8 original_size":    envelopeOf("\x94\xc4\x12\xf0\x01", input, "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\xd0\x10\xa7msgpack"),
		"uint16 checksum byte":  envelopeOf("\x94\xc4\x12\xf0\x01", input, "\x98\xcd\x00\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\x10\xa7msgpack"),
		"str8 format":           envelopeOf("\x94\xc4\x12\xf0\x01", input, "\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\x10\xd9\x07msgpack"),
		"array16 checksum":      envelopeOf("\x94\xc4\x12\xf0\x01", input, "\xdc\x00\x08\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\x10\xa7msgpack"),
		"legacy int16 elements": envelopeOf("\x94\x92\xd1\x00\x10\xd1\x00\x41", checksumElement("A"), "\x01\xa7msgpack"),
	}
	for name, env := range tests {
		data, format, err := Retrieve(env)
		want := input
		if strings.HasPrefix(name, "legacy") {
			want = "A"
		}
		if err != nil || string(data) != want || format != FormatMsgpack {
			t.Errorf("%s: Retrieve = %q, %q, %v", name, data, format, err)
		}
	}
}

// checksumElement encodes the checksum element for s by hand: fixarray(8), then each
// byte of the big-endian xxHash3-64 as a positive fixint or uint8.
func checksumElement(s string) string {
	out := []byte{0x98}
	for _, b := range binary.BigEndian.AppendUint64(nil, xxh3.HashString(s)) {
		if b > 0x7f {
			out = append(out, 0xcc)
		}
		out = append(out, b)
	}
	return string(out)
}

// TestBitFlipNeverChangesData flips every bit of a set of envelopes, one at a time:
// Retrieve must either fail or return exactly the original data. (The format string
// is not covered by the checksum, so a flip there can change the format; that is why
// callers check it.)
func TestBitFlipNeverChangesData(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var envelopes [][]byte
	var inputs [][]byte
	for _, n := range []int{0, 1, 13, 40, 100, 300, 1500} {
		for _, kind := range []string{"random", "runs", "records"} {
			in := testInput(rng, kind, n)
			env, err := Store(in, FormatMsgpack)
			if err != nil {
				t.Fatal(err)
			}
			envelopes, inputs = append(envelopes, env), append(inputs, in)
		}
	}
	f := loadWire(t)
	for _, v := range f.Vectors {
		envelopes = append(envelopes, vectortest.MustHex(t, v.EnvelopeHex))
		inputs = append(inputs, vectortest.MustHex(t, v.InputHex))
	}
	flips, accepted, formatChanged := 0, 0, 0
	for i, env := range envelopes {
		mutated := make([]byte, len(env))
		for bit := 0; bit < 8*len(env); bit++ {
			copy(mutated, env)
			mutated[bit/8] ^= 1 << (bit % 8)
			flips++
			data, format, err := Retrieve(mutated)
			if err != nil {
				continue
			}
			accepted++
			if !bytes.Equal(data, inputs[i]) {
				t.Fatalf("envelope %d, bit %d: accepted with different data", i, bit)
			}
			if format != FormatMsgpack {
				formatChanged++
			}
		}
	}
	// Besides format flips, a flip inside the LZ4 block can be accepted when it
	// yields the same output (an offset moved within a run of equal bytes).
	t.Logf("%d single-bit flips over %d envelopes: %d accepted with the data unchanged (%d changed the format)",
		flips, len(envelopes), accepted, formatChanged)
}

func TestStepString(t *testing.T) {
	t.Parallel()
	if got := StepRatio.String(); got != "step 5 (ratio)" {
		t.Errorf("StepRatio.String() = %q", got)
	}
	if got := Step(7).String(); got != "Step(7)" {
		t.Errorf("Step(7).String() = %q", got)
	}
	err := error(&RejectError{Step: StepChecksum, Err: ErrChecksum, Detail: "16 bytes"})
	if got := err.Error(); got != "envelope: checksum mismatch [step 8 (checksum)]: 16 bytes" {
		t.Errorf("RejectError.Error() = %q", got)
	}
}
