package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

// rendered returns what inspect prints for in.
func rendered(in *inspection) string {
	var buf bytes.Buffer
	in.render(&buf, "")
	return buf.String()
}

type wireVector struct {
	Name             string      `json:"name"`
	EnvelopeHex      string      `json:"envelope_hex"`
	EnvelopeSize     json.Number `json:"envelope_size"`
	InputHex         string      `json:"input_hex"`
	InputSize        json.Number `json:"input_size"`
	Format           string      `json:"format"`
	EnvelopeEncoding string      `json:"envelope_encoding"`
	OriginalSize     json.Number `json:"original_size"`
	CompressedSize   json.Number `json:"compressed_size"`
	ChecksumHex      string      `json:"checksum_hex"`
	RejectStep       json.Number `json:"reject_step"`
	EnvelopeParts    []segment   `json:"envelope_construction"`
	PayloadHex       string      `json:"payload_hex"`
	RevivesTo        struct {
		Type string `json:"type"`
		ISO  string `json:"iso"`
	} `json:"revives_to"`
}

// name names a vector's subtest (for vectortest.Each).
func (v wireVector) name() string { return v.Name }

type segment struct {
	Hex   string      `json:"hex"`
	Count json.Number `json:"count"`
}

type wireFile struct {
	Vectors            []wireVector `json:"vectors"`
	RejectVectors      []wireVector `json:"reject_vectors"`
	ConstructedVectors []wireVector `json:"constructed_vectors"`
	PayloadRejects     []wireVector `json:"payload_reject_vectors"`
	TemporalSentinels  []wireVector `json:"temporal_sentinel_vectors"`
}

func mustInt(t *testing.T, n json.Number) int64 {
	t.Helper()
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("vector number %q: %v", n, err)
	}
	return i
}

func TestInspectWireFormatVectors(t *testing.T) {
	var wf wireFile
	vectortest.Load(t, "wire-format.json", &wf)
	now := time.Unix(0, 0)

	vectortest.Each(t, "wire-format.json", "vectors", wf.Vectors, wireVector.name, func(t *testing.T, v wireVector) {
		in := inspectBytes(vectortest.MustHex(t, v.EnvelopeHex), now, 1)
		if in.kind != kindEnvelope {
			t.Fatalf("kind %q, want %q (err %v)", in.kind, kindEnvelope, in.err)
		}
		if int64(in.size) != mustInt(t, v.EnvelopeSize) {
			t.Errorf("size %d, want %s", in.size, v.EnvelopeSize)
		}
		if int64(in.envelope.originalSize) != mustInt(t, v.InputSize) {
			t.Errorf("original size %d, want %s", in.envelope.originalSize, v.InputSize)
		}
		if in.envelope.format != v.Format {
			t.Errorf("format %q, want %q", in.envelope.format, v.Format)
		}
		// Vectors without envelope_encoding use the legacy integer-array encoding.
		if wantLegacy := v.EnvelopeEncoding == ""; in.envelope.legacyEncoding != wantLegacy {
			t.Errorf("legacy encoding %v, want %v", in.envelope.legacyEncoding, wantLegacy)
		}
		// The inputs are raw bytes. Only the single byte ff is also a MessagePack
		// document (negative fixint -1, by the MessagePack spec); the others are shown
		// as hex.
		input := vectortest.MustHex(t, v.InputHex)
		if v.InputHex == "ff" {
			if !in.decoded || in.value != int64(-1) {
				t.Fatalf("payload ff decoded=%v as %#v, want -1", in.decoded, in.value)
			}
		} else {
			if in.decoded {
				t.Fatalf("decoded the payload of %s as MessagePack", v.Name)
			}
			shown := strings.SplitN(in.content, "…", 2)[0]
			if !strings.HasPrefix(hex.EncodeToString(input), shown) {
				t.Errorf("content %q is not the input %x", in.content, input)
			}
		}
		out := rendered(in)
		if !regexp.MustCompile(`original size +` + v.InputSize.String() + ` bytes`).MatchString(out) {
			t.Errorf("output does not state the original size:\n%s", out)
		}
	})

	vectortest.Each(t, "wire-format.json", "reject_vectors", wf.RejectVectors, wireVector.name, func(t *testing.T, v wireVector) {
		in := inspectBytes(vectortest.MustHex(t, v.EnvelopeHex), now, 1)
		step := envelope.Step(mustInt(t, v.RejectStep))
		if step <= envelope.StepDecode {
			// The layout itself is wrong: inspect must not call it an envelope.
			if in.kind == kindEnvelope || in.kind == kindBadEnvelope {
				t.Fatalf("kind %q for bytes without the envelope layout", in.kind)
			}
			return
		}
		if in.kind != kindBadEnvelope {
			t.Fatalf("kind %q, want %q", in.kind, kindBadEnvelope)
		}
		if !strings.Contains(rendered(in), step.String()) {
			t.Errorf("output does not name %s:\n%s", step, rendered(in))
		}
	})

	vectortest.Each(t, "wire-format.json", "constructed_vectors", wf.ConstructedVectors, wireVector.name, func(t *testing.T, v wireVector) {
		var b []byte
		for _, s := range v.EnvelopeParts {
			b = append(b, bytes.Repeat(vectortest.MustHex(t, s.Hex), int(mustInt(t, s.Count)))...)
		}
		in := inspectBytes(b, now, 1)
		if in.kind != kindEnvelope {
			t.Fatalf("kind %q, want %q (err %v)", in.kind, kindEnvelope, in.err)
		}
		if int64(in.envelope.originalSize) != mustInt(t, v.OriginalSize) ||
			int64(in.envelope.compressedSize) != mustInt(t, v.CompressedSize) {
			t.Errorf("sizes %d/%d, want %s/%s", in.envelope.originalSize, in.envelope.compressedSize, v.OriginalSize, v.CompressedSize)
		}
		if hex.EncodeToString(in.envelope.checksum) != v.ChecksumHex {
			t.Errorf("checksum %x, want %s", in.envelope.checksum, v.ChecksumHex)
		}
		if in.envelope.legacyEncoding != (v.EnvelopeEncoding == "int-array") {
			t.Errorf("legacy encoding %v for %q", in.envelope.legacyEncoding, v.EnvelopeEncoding)
		}
	})

	vectortest.Each(t, "wire-format.json", "payload_reject_vectors", wf.PayloadRejects, wireVector.name, func(t *testing.T, v wireVector) {
		in := inspectBytes(vectortest.MustHex(t, v.EnvelopeHex), now, 1)
		if in.kind != kindEnvelope {
			t.Fatalf("kind %q, want %q", in.kind, kindEnvelope)
		}
		// The envelope is sound, its payload overclaims: it must not be decoded.
		if in.decoded || hex.EncodeToString(in.envelope.checksum) != v.ChecksumHex {
			t.Fatalf("decoded=%v checksum %x", in.decoded, in.envelope.checksum)
		}
	})

	vectortest.Each(t, "wire-format.json", "temporal_sentinel_vectors", wf.TemporalSentinels, wireVector.name, func(t *testing.T, v wireVector) {
		in := inspectBytes(vectortest.MustHex(t, v.PayloadHex), now, 1)
		if in.kind != kindMsgpack {
			t.Fatalf("kind %q, want %q", in.kind, kindMsgpack)
		}
		got, ok := in.value.(time.Time)
		if !ok {
			t.Fatalf("value %T, want a revived time", in.value)
		}
		if v.RevivesTo.Type == "datetime" {
			want, err := time.Parse(time.RFC3339, v.RevivesTo.ISO)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Errorf("revived %v, want %v", got, want)
			}
		}
	})
}

type frameVector struct {
	Name        string `json:"name"`
	FrameHex    string `json:"frame_hex"`
	RejectedBy  string `json:"rejected_by"`
	PayloadHex  string `json:"expected_payload_hex"`
	ValueJSON   any    `json:"value_json"`
	ExpectedHdr *struct {
		S *string        `json:"s"`
		M map[string]any `json:"m"`
		V string         `json:"v"`
	} `json:"expected_header"`
}

func (v frameVector) name() string { return v.Name }

type frameFile struct {
	FrameVectors     []frameVector `json:"frame_vectors"`
	ErrorVectors     []frameVector `json:"error_vectors"`
	EncryptedVectors []frameVector `json:"encrypted_read_vectors"`
}

func TestInspectPythonFrameVectors(t *testing.T) {
	var pf frameFile
	vectortest.Load(t, "python-frame.json", &pf)
	now := time.Unix(0, 0)

	checkFrame := func(t *testing.T, v frameVector) {
		b := vectortest.MustHex(t, v.FrameHex)
		in := inspectBytes(b, now, 1)
		if in.kind != kindPythonFrame {
			t.Fatalf("kind %q, want %q (err %v)", in.kind, kindPythonFrame, in.err)
		}
		if in.frame.Serializer != *v.ExpectedHdr.S || in.frame.EnvelopeVersion != v.ExpectedHdr.V {
			t.Errorf("header s=%q v=%q, want %q %q", in.frame.Serializer, in.frame.EnvelopeVersion, *v.ExpectedHdr.S, v.ExpectedHdr.V)
		}
		if !reflect.DeepEqual(in.frame.Metadata, v.ExpectedHdr.M) {
			t.Errorf("metadata %v, want %v", in.frame.Metadata, v.ExpectedHdr.M)
		}
		if v.PayloadHex != "" {
			payload := vectortest.MustHex(t, v.PayloadHex)
			if !bytes.HasSuffix(b, payload) || len(b)-in.frame.PayloadOffset != len(payload) {
				t.Errorf("payload offset %d does not split off the %d-byte payload", in.frame.PayloadOffset, len(payload))
			}
		}
		// The payload is never decoded: nothing of the value appears.
		out := rendered(in)
		if in.decoded || in.value != nil {
			t.Fatal("the frame's payload was decoded")
		}
		if m, ok := v.ValueJSON.(map[string]any); ok {
			for k := range m {
				if strings.Contains(out, `"`+k+`"`) {
					t.Errorf("output shows the value's field %q:\n%s", k, out)
				}
			}
		}
		if !strings.Contains(out, quote(*v.ExpectedHdr.S)) {
			t.Errorf("output does not name the serializer:\n%s", out)
		}
	}

	vectortest.Each(t, "python-frame.json", "frame_vectors", pf.FrameVectors, frameVector.name, checkFrame)

	vectortest.Each(t, "python-frame.json", "encrypted_read_vectors", pf.EncryptedVectors, frameVector.name, func(t *testing.T, v frameVector) {
		if v.ExpectedHdr.S == nil { // no serializer name: a malformed frame
			in := inspectBytes(vectortest.MustHex(t, v.FrameHex), now, 1)
			if in.kind != kindMalformedCK || !strings.Contains(in.err.Error(), "serializer") {
				t.Fatalf("kind %q err %v, want a malformed frame without serializer", in.kind, in.err)
			}
			return
		}
		checkFrame(t, v)
	})

	// The value the "fed to the frame reader" vectors hold, from the frame vectors.
	var saasValue any
	for _, v := range pf.FrameVectors {
		if v.Name == "default_saas_write_msgpack_bytestorage_bin" {
			saasValue = v.ValueJSON
		}
	}
	vectortest.Each(t, "python-frame.json", "error_vectors", pf.ErrorVectors, frameVector.name, func(t *testing.T, v frameVector) {
		in := inspectBytes(vectortest.MustHex(t, v.FrameHex), now, 1)
		switch v.RejectedBy {
		case "prefix_length", "version", "header_length", "serializer_name":
			if in.kind != kindMalformedCK || in.err == nil {
				t.Fatalf("kind %q, want %q", in.kind, kindMalformedCK)
			}
		case "magic":
			// Not a frame at all: inspect says what it is instead.
			switch {
			case strings.HasPrefix(v.Name, "bare_envelope"):
				if in.kind != kindEnvelope || !in.decoded || !jsonEqual(t, in.value, saasValue) {
					t.Fatalf("kind %q decoded=%v value %v, want the envelope of %v", in.kind, in.decoded, in.value, saasValue)
				}
			case strings.HasPrefix(v.Name, "plain_msgpack"):
				if in.kind != kindMsgpack || !jsonEqual(t, in.value, saasValue) {
					t.Fatalf("kind %q value %v, want plain MessagePack of %v", in.kind, in.value, saasValue)
				}
			default:
				t.Fatalf("unexpected magic vector %s", v.Name)
			}
		case "":
			// A well-formed frame offered to another reader: still a frame.
			if in.kind != kindPythonFrame {
				t.Fatalf("kind %q, want %q", in.kind, kindPythonFrame)
			}
		default:
			t.Fatalf("unknown rejected_by %q", v.RejectedBy)
		}
	})
}

// jsonEqual compares a decoded MessagePack value with a JSON value from a vector.
func jsonEqual(t *testing.T, got, want any) bool {
	t.Helper()
	g, err := marshalJSON(got, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var gv, wv any
	if json.Unmarshal([]byte(g), &gv) != nil || json.Unmarshal(w, &wv) != nil {
		return false
	}
	return reflect.DeepEqual(gv, wv)
}

type fileVector struct {
	Name       string      `json:"name"`
	KeyUTF8    string      `json:"key_utf8"`
	Filename   string      `json:"filename"`
	FileHex    string      `json:"file_hex"`
	PayloadHex string      `json:"payload_hex"`
	Expiry     json.Number `json:"expiry_unix_seconds"`
	Flags      json.Number `json:"flags"`
	Reserved   json.Number `json:"reserved"`
	ReaderNow  json.Number `json:"reader_now_unix_seconds"`
	Action     string      `json:"reader_action"`
}

func (v fileVector) name() string { return v.Name }

func TestInspectFileBackendVectors(t *testing.T) {
	var ff struct {
		Vectors []fileVector `json:"vectors"`
	}
	vectortest.Load(t, "file-backend.json", &ff)
	vectortest.Each(t, "file-backend.json", "vectors", ff.Vectors, fileVector.name, func(t *testing.T, v fileVector) {
		now := int64(0) // the vectors' default reader time
		if v.ReaderNow != "" {
			now = mustInt(t, v.ReaderNow)
		}
		reserved := int64(0)
		if v.Reserved != "" {
			reserved = mustInt(t, v.Reserved)
		}
		in := inspectBytes(vectortest.MustHex(t, v.FileHex), time.Unix(now, 0), 1)
		if in.kind != kindFileEntry {
			t.Fatalf("kind %q, want %q (err %v)", in.kind, kindFileEntry, in.err)
		}
		h := in.fileHeader
		if int64(h.Expiry) != mustInt(t, v.Expiry) || int64(h.Flags) != mustInt(t, v.Flags) || int64(h.Reserved) != reserved {
			t.Errorf("header %+v, want expiry %s flags %s reserved %d", *h, v.Expiry, v.Flags, reserved)
		}
		if in.fileAction != v.Action {
			t.Errorf("reader action %q, want %q", in.fileAction, v.Action)
		}
		payload := vectortest.MustHex(t, v.PayloadHex)
		if in.payload == nil || in.payload.size != len(payload) {
			t.Fatalf("payload inspection %+v, want %d bytes", in.payload, len(payload))
		}
		if file.EntryName(v.KeyUTF8) != v.Filename {
			t.Errorf("entry name of %q is %s, want %s", v.KeyUTF8, file.EntryName(v.KeyUTF8), v.Filename)
		}
	})
}

type sealedVector struct {
	Name          string `json:"name"`
	PlaintextHex  string `json:"plaintext_hex"`
	CiphertextHex string `json:"ciphertext_hex"`
}

func (v sealedVector) name() string { return v.Name }

func TestInspectEncryptionVectors(t *testing.T) {
	var ef struct {
		Vectors []sealedVector `json:"vectors"`
	}
	vectortest.Load(t, "encryption.json", &ef)
	vectortest.Each(t, "encryption.json", "vectors", ef.Vectors, sealedVector.name, func(t *testing.T, v sealedVector) {
		ct := vectortest.MustHex(t, v.CiphertextHex)
		in := inspectBytes(ct, time.Unix(0, 0), 1)
		if in.kind != kindCiphertext {
			t.Fatalf("kind %q, want %q", in.kind, kindCiphertext)
		}
		if want := len(vectortest.MustHex(t, v.PlaintextHex)); in.cipher.ciphertextLen != want {
			t.Errorf("ciphertext length %d, want the plaintext's %d", in.cipher.ciphertextLen, want)
		}
		if !bytes.Equal(in.cipher.nonce, ct[:12]) || !bytes.Equal(in.cipher.tag, ct[len(ct)-16:]) {
			t.Errorf("nonce %x tag %x do not frame %x", in.cipher.nonce, in.cipher.tag, ct)
		}
	})
}

// msgpackVector is a row of interop-mode.json's value_vectors (the hex in
// canonical_msgpack_hex), reader_accept_vectors or reader_reject_vectors (in msgpack_hex;
// a reject row has no value).
type msgpackVector struct {
	Name         string          `json:"name"`
	Value        json.RawMessage `json:"value"`
	CanonicalHex string          `json:"canonical_msgpack_hex"`
	Hex          string          `json:"msgpack_hex"`
}

func (v msgpackVector) name() string { return v.Name }

func TestInspectInteropValueVectors(t *testing.T) {
	var im struct {
		ValueVectors []msgpackVector `json:"value_vectors"`
		ReaderAccept []msgpackVector `json:"reader_accept_vectors"`
		ReaderReject []msgpackVector `json:"reader_reject_vectors"`
	}
	vectortest.Load(t, "interop-mode.json", &im)
	check := func(t *testing.T, msgpackHex string, value json.RawMessage) {
		in := inspectBytes(vectortest.MustHex(t, msgpackHex), time.Unix(0, 0), 1)
		if in.kind != kindMsgpack {
			t.Fatalf("kind %q, want %q (err %v)", in.kind, kindMsgpack, in.err)
		}
		if value == nil {
			// No tagged JSON carries these; their descriptions give the values: {1: 42}
			// and ext type 1 holding 2a.
			want := map[string]any{
				"81012a": map[any]any{int64(1): int64(42)},
				"d4012a": codec.Ext{Type: 1, Data: []byte{0x2a}},
			}[msgpackHex]
			if want == nil || !reflect.DeepEqual(in.value, want) {
				t.Fatalf("decoded %#v, want %#v", in.value, want)
			}
			return
		}
		want, err := parseTagged(string(value), forValue)
		if err != nil {
			t.Fatal(err)
		}
		// A datetime sentinel map is revived into a time by every reader.
		if m, ok := want.(map[string]any); ok && m["__datetime__"] == true {
			if want, err = time.Parse(time.RFC3339Nano, m["value"].(string)); err != nil {
				t.Fatal(err)
			}
		}
		w, _ := marshalJSON(want, false)
		if g, _ := marshalJSON(in.value, false); g != w {
			t.Errorf("decoded %s, want %s", g, w)
		}
		if strings.TrimSpace(in.content) == "" {
			t.Error("no content shown")
		}
	}
	vectortest.Each(t, "interop-mode.json", "value_vectors", im.ValueVectors, msgpackVector.name, func(t *testing.T, v msgpackVector) {
		check(t, v.CanonicalHex, v.Value)
	})
	vectortest.Each(t, "interop-mode.json", "reader_accept_vectors", im.ReaderAccept, msgpackVector.name, func(t *testing.T, v msgpackVector) {
		check(t, v.Hex, v.Value)
	})
	vectortest.Each(t, "interop-mode.json", "reader_reject_vectors", im.ReaderReject, msgpackVector.name, func(t *testing.T, v msgpackVector) {
		in := inspectBytes(vectortest.MustHex(t, v.Hex), time.Unix(0, 0), 1)
		if in.kind == kindMsgpack || in.decoded {
			t.Fatalf("kind %q: a document with trailing bytes was accepted", in.kind)
		}
	})
}

func TestInspectCommand(t *testing.T) {
	// A real entry of the file backend, written by the CLI and read back from disk.
	dir := t.TempDir()
	if r := runCLI(t, nil, "set", "-backend", "file://"+dir, "-ttl", "1h", "k", "hello"); r.code != exitOK {
		t.Fatalf("set: %+v", r)
	}
	entry := filepath.Join(dir, file.EntryName("k"))
	if _, err := os.Stat(entry); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, maxInspectInput+1), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		has    []string
		hasNot []string
	}{
		{name: "file entry from disk", args: []string{"-file", entry}, has: []string{string(kindFileEntry), "a reader  returns the payload", "payload:", string(kindMsgpack), `"hello"`}},
		{name: "hex with spaces and prefix", args: []string{"-hex", "0x82 a3 61 67 65 1e a4 6e 61 6d 65 a5 61 6c 69 63 65"}, has: []string{string(kindMsgpack), `"age": 30`, `"name": "alice"`}},
		{name: "ck frame", args: []string{"-hex", "434b030000004d7b2273223a202264656661756c74222c20226d223a207b22666f726d6174223a20226d73677061636b222c2022636f6d70726573736564223a2066616c73657d2c202276223a2022322e30227d68656c6c6f2c2063616368656b697421"}, has: []string{string(kindPythonFrame), `"default"`, "16 bytes at offset 84, not decoded"}, hasNot: []string{"hello, cachekit"}},
		{name: "short garbage", args: []string{"-hex", "c1"}, has: []string{string(kindUnrecognised)}},
		{name: "empty", args: []string{"-hex", "  "}, code: exitUsage},
		{name: "terminal escapes in a string are escaped", args: []string{"-hex", "a41b5b324a"}, has: []string{`"\u001b[2J"`}, hasNot: []string{"\x1b"}},
		{name: "bad hex", args: []string{"-hex", "zz"}, code: exitUsage},
		{name: "odd hex", args: []string{"-hex", "abc"}, code: exitUsage},
		{name: "both inputs", args: []string{"-hex", "00", "-file", entry}, code: exitUsage},
		{name: "no input", args: nil, code: exitUsage},
		{name: "positional input", args: []string{"00"}, code: exitUsage},
		{name: "missing file", args: []string{"-file", filepath.Join(dir, "nope")}, code: exitFailure},
		{name: "file over the limit", args: []string{"-file", big}, code: exitFailure, has: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"inspect"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			for _, s := range tt.has {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("output does not contain %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(r.stdout, s) {
					t.Errorf("output contains %q:\n%s", s, r.stdout)
				}
			}
		})
	}
}

// FuzzInspect checks that no input makes inspect panic or print raw control bytes.
func FuzzInspect(f *testing.F) {
	for _, seed := range []string{
		"", "00", "c1", "434b03", "434b010000000000000000000000a568656c6c6f",
		"949100982d06cc800538ccd3cc94ccc200a76d73677061636b",
		"f8f69c70000000000000000087d9ec09f2c2347a4b37d5330ccf50e3c31e69642801bef5",
		"82a36167651ea46e616d65a5616c696365", "dc07d0dc07d0dc07d0",
	} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := rendered(inspectBytes(b, time.Unix(0, 0), 1))
		for _, c := range []byte(out) {
			if c < 0x20 && c != '\n' {
				t.Fatalf("output holds control byte %#x", c)
			}
		}
	})
}
