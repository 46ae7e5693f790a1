package envelope

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRetrieveRejectsTruncatedHeaders: an envelope cut inside a MessagePack header
// (before a length, a type byte or a fixed-width value is complete) is refused by the
// bounded pre-scan at step 2, whatever the header's kind.
func TestRetrieveRejectsTruncatedHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"ext8 without its length", "\x94\xc7"},
		{"ext16 with half its length", "\x94\xc8\x00"},
		{"fixext1 without its type byte", "\x94\xd4"},
		{"ext8 without its type byte", "\x94\xc7\x00"},
		{"array16 with half its length", "\x94\xdc\x00"},
		{"map32 with half its length", "\x94\xdf\x00\x00"},
		{"uint8 without its byte", "\x94\xcc"},
		{"float64 cut short", "\x94\xcb\x00\x00\x00"},
		{"bin16 with half its length", "\x94\xc5\x00"},
		{"str32 with three length bytes", "\x94\xdb\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, _, err := Retrieve([]byte(tt.in))
			var re *RejectError
			if !errors.As(err, &re) || re.Step != StepDecode || !errors.Is(err, ErrDecodeBounds) || !errors.Is(err, ErrRejected) {
				t.Fatalf("Retrieve = %x, %v; want ErrDecodeBounds at %v", data, err, StepDecode)
			}
			if data != nil {
				t.Fatal("data returned with an error")
			}
		})
	}
}

// TestEveryStepHasAName: a reject error names its step; each step the Retrieve Flow
// can fail at prints its own number and a name, never the fallback form.
func TestEveryStepHasAName(t *testing.T) {
	t.Parallel()
	steps := []Step{StepSize, StepDecode, StepCompressedCap, StepOriginalCap, StepRatio, StepDecompress, StepChecksum, StepLength}
	seen := map[string]Step{}
	for _, s := range steps {
		got := s.String()
		prefix := fmt.Sprintf("step %d (", uint8(s))
		if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, ")") || len(got) <= len(prefix)+1 {
			t.Errorf("Step(%d).String() = %q, want %q followed by a name", uint8(s), got, prefix)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("steps %d and %d print the same %q", uint8(other), uint8(s), got)
		}
		seen[got] = s
	}
}

// TestFrameErrorMessages: a FrameError prints its sentinel and detail, and the detail
// comes from the checks, never from the header's bytes (which may hold user data).
func TestFrameErrorMessages(t *testing.T) {
	t.Parallel()
	frame := func(header string) []byte {
		b := binary.BigEndian.AppendUint32([]byte("CK\x03"), uint32(len(header)))
		return append(b, header...)
	}
	const secret = "tok-5f3a9c"
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"not a frame", []byte("{}"), ErrNotFrame},
		{"truncated", []byte("CK\x03\x00"), ErrFrameTruncated},
		{"m is a string", frame(`{"s":"x","m":"` + secret + `"}`), ErrFrameHeader},
		{"v is an object", frame(`{"s":"x","v":{"k":"` + secret + `"}}`), ErrFrameHeader},
		{"s is a number", frame(`{"s":12345,"m":{"k":"` + secret + `"}}`), ErrFrameHeader},
		{"no serializer", frame(`{"m":{"k":"` + secret + `"}}`), ErrFrameSerializer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFrameHeader(tt.in)
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, tt.want) {
				t.Fatalf("ParseFrameHeader error = %v, want a *FrameError of %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want.Error()) {
				t.Errorf("message %q does not start with the sentinel's", msg)
			}
			if fe.Detail != "" && !strings.HasSuffix(msg, ": "+fe.Detail) {
				t.Errorf("message %q does not end with the detail %q", msg, fe.Detail)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("message %q quotes the header", msg)
			}
		})
	}
}

// TestRefusePythonFrameCutsOnARuneBoundary: a long serializer name is cut to 64 bytes
// for the message; a cut inside a multi-byte character must move back to its start,
// or the quoted name would end in a broken escape.
func TestRefusePythonFrameCutsOnARuneBoundary(t *testing.T) {
	t.Parallel()
	name := "a" + strings.Repeat("é", 60) // byte 64 falls inside an "é"
	header := `{"s":"` + name + `"}`
	b := binary.BigEndian.AppendUint32([]byte("CK\x03"), uint32(len(header)))
	err := RefusePythonFrame(append(b, header...))
	if !errors.Is(err, ErrPythonFrame) {
		t.Fatalf("RefusePythonFrame = %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, `\x`) || !utf8.ValidString(msg) {
		t.Fatalf("the cut split a character: %q", msg)
	}
	want := fmt.Sprintf("%q...", name[:63])
	if !strings.Contains(msg, want) {
		t.Fatalf("message %q, want the name cut to 63 bytes: %s", msg, want)
	}
}

// TestStoreLongFormats: a format string too long for str8 takes the str16 or str32
// header (TestStoreFormats covers the shorter ones), and Retrieve returns it unchanged.
func TestStoreLongFormats(t *testing.T) {
	t.Parallel()
	for _, n := range []int{256, 65535, 65536} {
		format := strings.Repeat("f", n)
		env, err := Store([]byte("payload"), format)
		if err != nil {
			t.Fatalf("Store with a %d-byte format: %v", n, err)
		}
		checkCanonical(t, env, []byte("payload"), format)
		data, got, err := Retrieve(env)
		if err != nil || got != format || string(data) != "payload" {
			t.Fatalf("Retrieve with a %d-byte format = %q, format of %d bytes, %v", n, data, len(got), err)
		}
	}
}
