package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/zeebo/xxh3"
)

// frameFile is the part of python-frame.json these tests read.
type frameFile struct {
	FrameVectors         []frameVector `json:"frame_vectors"`
	ErrorVectors         []frameVector `json:"error_vectors"`
	EncryptedReadVectors []frameVector `json:"encrypted_read_vectors"`
	EncryptedReader      struct {
		MasterKeyHex string `json:"master_key_hex"`
		TenantID     string `json:"tenant_id"`
		CacheKey     string `json:"cache_key"`
	} `json:"encrypted_reader"`
}

type frameVector struct {
	Name               string          `json:"name"`
	FrameHex           string          `json:"frame_hex"`
	ExpectedHeader     json.RawMessage `json:"expected_header"`
	ExpectedPayloadHex *string         `json:"expected_payload_hex"`
	PayloadEnvelope    *struct {
		EnvelopeEncoding  string      `json:"envelope_encoding"`
		CompressedDataHex string      `json:"compressed_data_hex"`
		ChecksumHex       string      `json:"checksum_hex"`
		OriginalSize      json.Number `json:"original_size"`
		Format            string      `json:"format"`
		InnerMsgpackHex   string      `json:"inner_msgpack_hex"`
	} `json:"payload_envelope"`
	ArrowDetection *struct {
		ChecksumLen    int    `json:"checksum_len"`
		ChecksumHex    string `json:"checksum_hex"`
		IPCMagicOffset int    `json:"ipc_magic_offset"`
		IPCMagic       string `json:"ipc_magic"`
	} `json:"arrow_detection"`
	RejectedBy   string `json:"rejected_by"`
	HeaderClaims string `json:"header_claims"`
	Outcome      string `json:"outcome"`
}

// name names a vector's subtest (for vectortest.Each).
func (v frameVector) name() string { return v.Name }

func loadFrames(t testing.TB) frameFile {
	t.Helper()
	var f frameFile
	vectortest.Load(t, "python-frame.json", &f)
	return f
}

// expectedHeader decodes a vector's expected_header the way ParseFrameHeader decodes
// a header, so the two compare with reflect.DeepEqual.
func expectedHeader(t testing.TB, raw json.RawMessage) (serializer string, metadata map[string]any, version string) {
	t.Helper()
	var h struct {
		S *string        `json:"s"`
		M map[string]any `json:"m"`
		V string         `json:"v"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&h); err != nil {
		t.Fatalf("expected_header: %v", err)
	}
	if h.S != nil {
		serializer = *h.S
	}
	return serializer, h.M, h.V
}

// checkHeader parses a frame vector and compares header and payload with the vector.
func checkHeader(t *testing.T, v frameVector, frame []byte) FrameHeader {
	t.Helper()
	if !IsPythonFrame(frame) {
		t.Fatalf("IsPythonFrame = false")
	}
	h, err := ParseFrameHeader(frame)
	if err != nil {
		t.Fatalf("ParseFrameHeader: %v", err)
	}
	s, m, ver := expectedHeader(t, v.ExpectedHeader)
	if h.Serializer != s || h.EnvelopeVersion != ver || !reflect.DeepEqual(h.Metadata, m) {
		t.Fatalf("header = %q %v %q; want %q %v %q", h.Serializer, h.Metadata, h.EnvelopeVersion, s, m, ver)
	}
	if h.Version != FrameVersion || h.PayloadOffset != framePrefixLen+int(h.HeaderLen) ||
		uint32(binary.BigEndian.Uint32(frame[3:7])) != h.HeaderLen {
		t.Fatalf("prefix fields: %+v", h)
	}
	if v.ExpectedPayloadHex != nil {
		if got := hex.EncodeToString(frame[h.PayloadOffset:]); got != *v.ExpectedPayloadHex {
			t.Fatalf("payload at offset %d = %s, want %s", h.PayloadOffset, got, *v.ExpectedPayloadHex)
		}
	}
	return h
}

func TestPythonFrameVectors(t *testing.T) {
	f := loadFrames(t)
	if len(f.FrameVectors) != 11 {
		t.Fatalf("python-frame.json has %d frame vectors, want 11", len(f.FrameVectors))
	}
	vectortest.Each(t, "python-frame.json", "frame_vectors", f.FrameVectors, frameVector.name, func(t *testing.T, v frameVector) {
		frame := vectortest.MustHex(t, v.FrameHex)
		h := checkHeader(t, v, frame)
		payload := frame[h.PayloadOffset:]

		// What a reader does with it: refuse, naming the serializer.
		err := RefusePythonFrame(frame)
		if !errors.Is(err, ErrPythonFrame) {
			t.Fatalf("RefusePythonFrame = %v, want ErrPythonFrame", err)
		}
		// A Go envelope-mode reader that skipped the frame check still fails:
		// 0x43 is the integer 67, not an envelope.
		if _, _, err := Retrieve(frame); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Retrieve(frame) = %v, want a decode rejection", err)
		}

		// Identification only (never a read path): the payload is what the
		// vector says it is.
		if pe := v.PayloadEnvelope; pe != nil {
			fl := decodedFields(t, payload)
			if hex.EncodeToString(fl.compressed) != pe.CompressedDataHex || hex.EncodeToString(fl.checksum[:]) != pe.ChecksumHex ||
				fl.originalSize != number(t, pe.OriginalSize) || string(fl.format) != pe.Format {
				t.Fatalf("payload envelope fields differ from the vector")
			}
			legacy := payload[1] >= 0x90 && payload[1] <= 0x9f || payload[1] == 0xdc || payload[1] == 0xdd
			if legacy != (pe.EnvelopeEncoding == "int-array") {
				t.Fatalf("payload encoding is not %s", pe.EnvelopeEncoding)
			}
			data, _, err := Retrieve(payload)
			if err != nil || hex.EncodeToString(data) != pe.InnerMsgpackHex {
				t.Fatalf("payload envelope = %x, %v; want %s", data, err, pe.InnerMsgpackHex)
			}
		}
		if ad := v.ArrowDetection; ad != nil {
			sum := payload[:ad.ChecksumLen]
			if hex.EncodeToString(sum) != ad.ChecksumHex ||
				string(payload[ad.IPCMagicOffset:ad.IPCMagicOffset+len(ad.IPCMagic)]) != ad.IPCMagic {
				t.Fatalf("arrow envelope not where the vector says")
			}
			if binary.BigEndian.Uint64(sum) != xxh3.Hash(payload[ad.ChecksumLen:]) {
				t.Fatalf("arrow checksum is not the xxHash3-64 of the IPC bytes")
			}
		}
	})
}

// frameRejectSentinel maps python-frame.json's rejected_by to ParseFrameHeader's
// sentinel.
var frameRejectSentinel = map[string]error{
	"magic":           ErrNotFrame,
	"prefix_length":   ErrFrameTruncated,
	"version":         ErrFrameVersion,
	"header_length":   ErrFrameHeaderLength,
	"serializer_name": ErrFrameSerializer,
}

func TestPythonFrameErrorVectors(t *testing.T) {
	f := loadFrames(t)
	if len(f.ErrorVectors) != 12 {
		t.Fatalf("python-frame.json has %d error vectors, want 12", len(f.ErrorVectors))
	}
	vectortest.Each(t, "python-frame.json", "error_vectors", f.ErrorVectors, frameVector.name, func(t *testing.T, v frameVector) {
		frame := vectortest.MustHex(t, v.FrameHex)
		if v.RejectedBy == "" {
			// ck_frame_fed_to_interop_reader: a well-formed frame that a strict
			// interop reader refuses (trailing bytes after the integer 67) and
			// should report as a Python auto-mode entry; that report is
			// RefusePythonFrame's error.
			if _, err := ParseFrameHeader(frame); err != nil {
				t.Fatalf("ParseFrameHeader: %v", err)
			}
			if !errors.Is(RefusePythonFrame(frame), ErrPythonFrame) {
				t.Fatalf("not refused as a Python frame")
			}
			if _, err := scanDocument(frame); err != nil || frame[0] != 0x43 {
				t.Fatalf("the frame should start with one complete 1-byte document")
			}
			return
		}
		want, ok := frameRejectSentinel[v.RejectedBy]
		if !ok {
			t.Fatalf("unknown rejected_by %q", v.RejectedBy)
		}
		_, err := ParseFrameHeader(frame)
		var fe *FrameError
		if !errors.As(err, &fe) || !errors.Is(err, want) {
			t.Fatalf("ParseFrameHeader = %v, want %v", err, want)
		}
		refusal := RefusePythonFrame(frame)
		if v.RejectedBy == "magic" {
			// Another SDK's container, not a frame: nothing to refuse here, and
			// ParseFrameHeader's error does not claim a Python frame.
			if refusal != nil || errors.Is(err, ErrPythonFrame) || IsPythonFrame(frame) {
				t.Fatalf("a value without the CK magic was treated as a frame")
			}
			return
		}
		if !errors.Is(refusal, ErrPythonFrame) || !errors.Is(refusal, want) {
			t.Fatalf("RefusePythonFrame = %v, want ErrPythonFrame and %v", refusal, want)
		}
	})
}

// pythonReaderKey derives the reader's AES-256-GCM key as spec/encryption.md does
// (HKDF-SHA256, salt "cachekit_v1_" | u8 len | "encryption" | u16 BE len | tenant,
// info "encryption"), written here with the standard library so that this package's
// tests need no import of protocol/encryption. Its result is checked against the
// key fingerprints the frame headers carry.
func pythonReaderKey(t *testing.T, master []byte, tenant string) (key []byte, fingerprint string) {
	t.Helper()
	const domain = "encryption"
	salt := append([]byte("cachekit_v1_"), byte(len(domain)))
	salt = append(salt, domain...)
	salt = binary.BigEndian.AppendUint16(salt, uint16(len(tenant)))
	salt = append(salt, tenant...)
	key, err := hkdf.Key(sha256.New, master, salt, domain, 32)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(append([]byte("key_fingerprint_v1"), key...))
	return key, hex.EncodeToString(fp[:16])
}

// aadV3 builds AAD v0x03: 03, then each component as u32 BE length and bytes.
func aadV3(components ...string) []byte {
	aad := []byte{0x03}
	for _, c := range components {
		aad = binary.BigEndian.AppendUint32(aad, uint32(len(c)))
		aad = append(aad, c...)
	}
	return aad
}

// openGCM decrypts nonce(12) | ciphertext | tag(16).
func openGCM(key, sealed, aad []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil || len(sealed) < 28 {
		return nil, false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	pt, err := gcm.Open(nil, sealed[:12], sealed[12:], aad)
	return pt, err == nil
}

// encryptedReadFacts records, from each vector's description, what its payload does
// under the reader's key when the frame is stripped (which a Go reader never does):
// whether it decrypts under cachekit-py's own AAD (which adds original_type as a
// fifth component), with which compressed token, and whether the plaintext would
// then open as an envelope. The test checks these facts, so it shows which gate
// keeps each vector from returning the value.
var encryptedReadFacts = map[string]struct {
	pyCompressedToken string // "" when the payload does not decrypt for this reader
	envelopeOpens     bool   // the plaintext (or the plaintext payload) opens as an envelope
}{
	"forged_plaintext_encrypted_false":             {"", true},
	"forged_plaintext_orjson":                      {"", false},
	"ciphertext_key_not_in_keyring":                {"", false},
	"ciphertext_other_tenant":                      {"", false},
	"ciphertext_plain_msgpack_not_envelope":        {"True", false},
	"ciphertext_plain_msgpack_claims_uncompressed": {"False", false},
	"ciphertext_serializer_name_auto":              {"True", true},
	"ciphertext_serializer_name_missing":           {"True", true},
}

// TestPythonFrameEncryptedReadVectors proves the fail-closed outcome on the Go read
// path. A Go reader, encrypted or not, refuses any value with the CK magic before
// anything else (RefusePythonFrame), whatever the unauthenticated header claims. A Go
// secure reader that skipped that check would hand the whole value to AES-GCM as
// nonce | ciphertext | tag with its own AAD, which does not authenticate either. The
// per-vector facts then show why the frame refusal must come first: some payloads do
// decrypt under cachekit-py's AAD to an envelope that opens to the value.
func TestPythonFrameEncryptedReadVectors(t *testing.T) {
	f := loadFrames(t)
	if len(f.EncryptedReadVectors) != 8 {
		t.Fatalf("python-frame.json has %d encrypted read vectors, want 8", len(f.EncryptedReadVectors))
	}
	r := f.EncryptedReader
	key, fingerprint := pythonReaderKey(t, vectortest.MustHex(t, r.MasterKeyHex), r.TenantID)
	goEnvelopeAAD := aadV3(r.TenantID, r.CacheKey, FormatMsgpack, "True")

	vectortest.Each(t, "python-frame.json", "encrypted_read_vectors", f.EncryptedReadVectors, frameVector.name, func(t *testing.T, v frameVector) {
		if v.Outcome != "fail_closed" {
			t.Fatalf("outcome %q", v.Outcome)
		}
		facts, ok := encryptedReadFacts[v.Name]
		if !ok {
			t.Fatalf("no facts recorded for new vector %s", v.Name)
		}
		frame := vectortest.MustHex(t, v.FrameHex)

		// The gate: refused as a Python frame, whatever the header says.
		if !IsPythonFrame(frame) || !errors.Is(RefusePythonFrame(frame), ErrPythonFrame) {
			t.Fatalf("not refused as a Python frame")
		}
		// Without the gate: the whole value is not Go ciphertext for this reader.
		if _, ok := openGCM(key, frame, goEnvelopeAAD); ok {
			t.Fatalf("the frame authenticated as Go ciphertext")
		}
		// Nor is it an envelope.
		if _, _, err := Retrieve(frame); err == nil {
			t.Fatalf("Retrieve accepted the frame")
		}

		// Facts about the payload behind the frame.
		h, err := ParseFrameHeader(frame)
		var payload []byte
		if v.Name == "ciphertext_serializer_name_missing" {
			if !errors.Is(err, ErrFrameSerializer) {
				t.Fatalf("ParseFrameHeader = %v, want ErrFrameSerializer", err)
			}
			payload = frame[framePrefixLen+binary.BigEndian.Uint32(frame[3:7]):]
		} else {
			h = checkHeader(t, v, frame)
			payload = frame[h.PayloadOffset:]
			if fp, ok := h.Metadata["key_fingerprint"]; ok && fp == fingerprint && facts.pyCompressedToken == "" {
				t.Fatalf("payload sealed under the reader's key but recorded as not decrypting")
			}
		}
		// Go's own envelope-mode AAD has four components, cachekit-py's five, so
		// even a frame-stripping Go reader would not authenticate any payload.
		if _, ok := openGCM(key, payload, goEnvelopeAAD); ok {
			t.Fatalf("payload authenticated under Go's envelope-mode AAD")
		}
		plaintext := payload
		if facts.pyCompressedToken != "" {
			pt, ok := openGCM(key, payload, aadV3(r.TenantID, r.CacheKey, FormatMsgpack, facts.pyCompressedToken, FormatMsgpack))
			if !ok {
				t.Fatalf("payload does not decrypt under cachekit-py's AAD (compressed %s)", facts.pyCompressedToken)
			}
			plaintext = pt
		} else {
			for _, token := range []string{"True", "False"} {
				if _, ok := openGCM(key, payload, aadV3(r.TenantID, r.CacheKey, FormatMsgpack, token, FormatMsgpack)); ok {
					t.Fatalf("payload decrypts for this reader (compressed %s)", token)
				}
			}
		}
		_, _, err = Retrieve(plaintext)
		if (err == nil) != facts.envelopeOpens {
			t.Fatalf("Retrieve(plaintext) error = %v, recorded envelopeOpens = %v", err, facts.envelopeOpens)
		}
	})
}

func TestParseFrameHeaderTable(t *testing.T) {
	t.Parallel()
	frame := func(version byte, header string, payload string) []byte {
		b := []byte{'C', 'K', version}
		b = binary.BigEndian.AppendUint32(b, uint32(len(header)))
		return append(append(b, header...), payload...)
	}
	tests := []struct {
		name  string
		in    []byte
		want  error // nil: parses
		check func(FrameHeader) bool
	}{
		{"minimal", frame(3, `{"s":"default"}`, ""), nil, func(h FrameHeader) bool { return h.Metadata == nil && h.PayloadOffset == 22 }},
		{"empty payload allowed", frame(3, `{"s":"x","m":{},"v":"2.0"}`, ""), nil, func(h FrameHeader) bool { return h.EnvelopeVersion == "2.0" }},
		{"whitespace around object", frame(3, " {\"s\":\"x\"}\n", "p"), nil, func(h FrameHeader) bool { return h.Serializer == "x" }},
		{"empty", nil, ErrNotFrame, nil},
		{"one byte", []byte("C"), ErrNotFrame, nil},
		{"lowercase magic", append([]byte("ck"), frame(3, `{"s":"x"}`, "")[2:]...), ErrNotFrame, nil},
		{"magic only", []byte("CK"), ErrFrameTruncated, nil},
		{"version 0", frame(0, `{"s":"x"}`, ""), ErrFrameVersion, nil},
		{"version 255", frame(255, `{"s":"x"}`, ""), ErrFrameVersion, nil},
		{"header length max u32", append([]byte("CK\x03\xff\xff\xff\xff"), "{}"...), ErrFrameHeaderLength, nil},
		{"header not json", frame(3, `not json`, ""), ErrFrameHeader, nil},
		{"header json array", frame(3, `["s"]`, ""), ErrFrameHeader, nil},
		{"header json null", frame(3, `null`, ""), ErrFrameHeader, nil},
		{"header trailing json", frame(3, `{"s":"x"}{}`, ""), ErrFrameHeader, nil},
		{"header invalid utf8", frame(3, "{\"s\":\"\xff\"}", ""), ErrFrameHeader, nil},
		{"s number", frame(3, `{"s":1}`, ""), ErrFrameHeader, nil},
		{"s null", frame(3, `{"s":null}`, ""), ErrFrameHeader, nil},
		{"s missing", frame(3, `{"m":{}}`, ""), ErrFrameSerializer, nil},
		{"s empty", frame(3, `{"s":""}`, ""), ErrFrameSerializer, nil},
		{"m array", frame(3, `{"s":"x","m":[]}`, ""), ErrFrameHeader, nil},
		{"m null", frame(3, `{"s":"x","m":null}`, ""), ErrFrameHeader, nil},
		{"v number", frame(3, `{"s":"x","v":2}`, ""), ErrFrameHeader, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseFrameHeader(tt.in)
			if tt.want == nil {
				if err != nil || !tt.check(h) {
					t.Fatalf("ParseFrameHeader = %+v, %v", h, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseFrameHeader error = %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrPythonFrame) != IsPythonFrame(tt.in) {
				t.Fatalf("ErrPythonFrame match disagrees with IsPythonFrame")
			}
		})
	}
}

func TestRefusePythonFrameMessage(t *testing.T) {
	t.Parallel()
	long := bytes.Repeat([]byte("é"), 100)
	b := append([]byte("CK\x03"), binary.BigEndian.AppendUint32(nil, uint32(len(long)+8))...)
	b = append(append(append(b, `{"s":"`...), long...), `"}`...)
	err := RefusePythonFrame(b)
	if !errors.Is(err, ErrPythonFrame) {
		t.Fatalf("RefusePythonFrame = %v", err)
	}
	// The serializer name comes from untrusted bytes: quoted, cut and still UTF-8.
	if msg := err.Error(); len(msg) > len(ErrPythonFrame.Error())+120 || !bytes.Contains([]byte(msg), []byte(`..."`)) && !bytes.Contains([]byte(msg), []byte(`"...`)) {
		t.Fatalf("message not cut: %q", msg)
	}
	if RefusePythonFrame([]byte{0x94, 0xc4}) != nil || RefusePythonFrame(nil) != nil {
		t.Fatalf("non-frames refused")
	}
}
