package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

// maxInspectInput bounds what inspect reads: far above any cache value the SDKs write
// by default, far below a memory problem.
const maxInspectInput = 64 << 20

// maxContentShown bounds the decoded content inspect prints.
const maxContentShown = 16 << 10

// aesGCMOverhead is the smallest AES-GCM value: a 12-byte nonce and a 16-byte tag.
const aesGCMOverhead = encryption.NonceSize + 16

// kind is what inspect found.
type kind string

const (
	kindEmpty        kind = "empty input"
	kindFileEntry    kind = "File backend entry"
	kindPythonFrame  kind = "cachekit-py CK v3 frame"
	kindMalformedCK  kind = "malformed CK value"
	kindEnvelope     kind = "ByteStorage envelope"
	kindBadEnvelope  kind = "rejected ByteStorage envelope"
	kindMsgpack      kind = "plain MessagePack document"
	kindCiphertext   kind = "AES-256-GCM ciphertext (probably)"
	kindUnrecognised kind = "unrecognised bytes"
)

// File-entry reader actions, named as in the protocol's file-backend vectors.
const (
	actionReturn       = "return_payload"
	actionMissPreserve = "miss_preserve"
	actionMissExpired  = "miss_expired"
)

// field is one labelled fact of an inspection, as printed.
type field struct{ name, value string }

// envelopeFacts are the decoded elements of a ByteStorage envelope.
type envelopeFacts struct {
	compressedSize int
	legacyEncoding bool // compressed_data as an array of integers rather than bin
	checksum       []byte
	originalSize   uint64
	format         string
}

// cipherFacts split a value that looks like AES-GCM output into its parts.
type cipherFacts struct {
	nonce         []byte
	ciphertextLen int
	tag           []byte
}

// inspection is what inspect learned about a value. The typed facts are set according
// to kind; fields and content are what is printed.
type inspection struct {
	kind    kind
	size    int
	note    string // one sentence on what the kind means
	fields  []field
	content string // decoded content (JSON) or a hex excerpt; "" for none
	err     error  // why a malformed or rejected value was refused

	fileHeader *file.Header
	fileAction string
	payload    *inspection // the payload of a file entry
	frame      *envelope.FrameHeader
	envelope   *envelopeFacts
	value      any // the decoded MessagePack document (kindMsgpack, kindEnvelope)
	decoded    bool
	cipher     *cipherFacts
}

func (in *inspection) add(name, format string, args ...any) {
	in.fields = append(in.fields, field{name, fmt.Sprintf(format, args...)})
}

// inspectBytes explains b. now decides whether a file entry has expired. depth limits
// the nesting of payload explanations. It never panics and allocates in proportion to
// len(b) only: every decoder it uses checks declared lengths against the input first.
func inspectBytes(b []byte, now time.Time, depth int) *inspection {
	in := &inspection{size: len(b)}
	switch {
	case len(b) == 0:
		in.kind = kindEmpty
		in.note = "No bytes: no cachekit container is empty (an empty ByteStorage payload still has a 25-byte envelope)."
		return in
	case len(b) >= 2 && b[0] == 'C' && b[1] == 'K':
		inspectCK(in, b, now, depth)
		return in
	}
	if inspectEnvelope(in, b) {
		return in
	}
	var v any
	err := codec.Unmarshal(b, &v)
	if err == nil {
		in.kind = kindMsgpack
		in.note = "One MessagePack document: the value container of cachekit-go and cachekit-rs by default, and of interop mode in every SDK."
		in.value, in.decoded = v, true
		in.add("type", "%s", msgpackType(v))
		in.content = contentJSON(v)
		return in
	}
	if len(b) >= aesGCMOverhead {
		in.kind = kindCiphertext
		in.note = "Not MessagePack, an envelope, a CK frame or a file entry, and long enough for AES-256-GCM: nonce(12) | ciphertext | tag(16). It reads only with the master key, tenant and full cache key it was sealed for."
		c := &cipherFacts{
			nonce:         b[:encryption.NonceSize],
			ciphertextLen: len(b) - aesGCMOverhead,
			tag:           b[len(b)-16:],
		}
		in.cipher = c
		in.add("nonce", "%x (instance %x, counter %d)", c.nonce, c.nonce[:8], binary.BigEndian.Uint32(c.nonce[8:]))
		in.add("ciphertext", "%d bytes (the sealed plaintext has the same length)", c.ciphertextLen)
		in.add("tag", "%x", c.tag)
		return in
	}
	in.kind = kindUnrecognised
	in.err = err
	in.note = fmt.Sprintf("Not a format cachekit writes, and shorter than the %d bytes of the smallest AES-GCM value.", aesGCMOverhead)
	in.add("as MessagePack", "%s", oneLine(err.Error()))
	in.content = hexExcerpt(b)
	return in
}

// inspectCK explains a value that starts with the CK magic, which both the File
// backend's entries (version 1) and cachekit-py's frames (version 3) use.
func inspectCK(in *inspection, b []byte, now time.Time, depth int) {
	if len(b) >= 3 && b[2] == file.FormatVersion {
		h, err := file.ParseHeader(b)
		if err == nil || errors.Is(err, file.ErrUnsupportedEntry) {
			inspectFileEntry(in, b, h, now, depth)
			return
		}
		in.kind = kindMalformedCK
		in.err = err
		in.note = fmt.Sprintf("Starts like a File backend entry (CK, version 1) but is shorter than its %d-byte header; a reader treats it as corrupt: a miss.", file.HeaderSize)
		in.add("error", "%s", oneLine(err.Error()))
		return
	}
	fh, err := envelope.ParseFrameHeader(b)
	if err != nil {
		in.kind = kindMalformedCK
		in.err = err
		in.note = "Starts with the CK magic of cachekit-py's frames and File backend entries but is neither a valid CK v3 frame nor a version-1 entry."
		in.add("error", "%s", oneLine(err.Error()))
		return
	}
	in.kind = kindPythonFrame
	in.frame = &fh
	in.note = "cachekit-py's own container (auto mode). cachekit-go recognises it only to refuse it: its payload is not decoded, and its header is not authenticated, so trust none of it."
	in.add("version", "%d", fh.Version)
	in.add("header length", "%d bytes", fh.HeaderLen)
	in.add("serializer (s)", "%s", quote(fh.Serializer))
	meta := "none"
	if fh.Metadata != nil {
		if text, err := marshalJSON(fh.Metadata, false); err == nil {
			meta = text
		}
	}
	in.add("metadata (m)", "%s", meta)
	in.add("wrapper version (v)", "%s", quote(fh.EnvelopeVersion))
	in.add("payload", "%d bytes at offset %d, not decoded", len(b)-fh.PayloadOffset, fh.PayloadOffset)
}

// inspectFileEntry explains a File backend entry: its header, what a reader does with
// it at now, and its payload.
func inspectFileEntry(in *inspection, b []byte, h file.Header, now time.Time, depth int) {
	in.kind = kindFileEntry
	in.fileHeader = &h
	in.note = "One file of the File backend's directory (shared by cachekit-py and cachekit-go): a 14-byte header, then the stored value."
	in.add("version", "%d", h.Version)
	in.add("reserved", "%d", h.Reserved)
	in.add("flags", "0x%04x", h.Flags)
	if h.Expiry == 0 {
		in.add("expiry", "never (0)")
	} else {
		in.add("expiry", "%s (unix %d)", expiryTime(h.Expiry), h.Expiry)
	}
	switch {
	case h.Reserved != 0 || h.Flags != 0:
		in.fileAction = actionMissPreserve
		in.add("a reader", "misses and leaves the file untouched (reserved byte or flags this version does not implement)")
	case h.Expired(now):
		in.fileAction = actionMissExpired
		in.add("a reader", "misses: the entry expired (it may remove the file)")
	default:
		in.fileAction = actionReturn
		in.add("a reader", "returns the payload")
	}
	payload := b[file.HeaderSize:]
	in.add("payload", "%d bytes", len(payload))
	if depth > 0 {
		in.payload = inspectBytes(payload, now, depth-1)
	}
}

// expiryTime formats an expiry in Unix seconds as UTC, or says it is out of range.
func expiryTime(sec uint64) string {
	if sec > 1<<40 {
		return "far future"
	}
	return time.Unix(int64(sec), 0).UTC().Format(time.RFC3339)
}

// inspectEnvelope explains b if it is a ByteStorage envelope, accepted or rejected
// after its layout was recognised, and reports whether it was one.
func inspectEnvelope(in *inspection, b []byte) bool {
	data, format, err := envelope.Retrieve(b)
	if err != nil {
		var re *envelope.RejectError
		if !errors.As(err, &re) || re.Step <= envelope.StepDecode {
			return false // not the envelope's layout: look further
		}
		in.kind = kindBadEnvelope
		in.err = err
		in.note = "Has the layout of a ByteStorage envelope but fails the Retrieve Flow, so every reader refuses it (corrupt, or a decompression bomb)."
		in.add("refused at", "%s", re.Step)
		in.add("error", "%s", oneLine(err.Error()))
		return true
	}
	facts := envelopeElements(b)
	facts.format = format
	in.kind = kindEnvelope
	in.envelope = facts
	in.note = "The ByteStorage envelope: cachekit-ts's default container and cachekit-go's envelope mode (LZ4 block, xxHash3-64 checksum)."
	encoding := "bin"
	if facts.legacyEncoding {
		encoding = "legacy array of integers"
	}
	in.add("compressed data", "%d bytes, LZ4 block, as %s", facts.compressedSize, encoding)
	in.add("checksum", "%x (xxHash3-64, verified)", facts.checksum)
	in.add("original size", "%d bytes", facts.originalSize)
	in.add("format", "%s", quote(format))
	var v any
	if format == envelope.FormatMsgpack && codec.Unmarshal(data, &v) == nil {
		in.value, in.decoded = v, true
		in.add("content", "MessagePack %s", msgpackType(v))
		in.content = contentJSON(v)
		return true
	}
	in.add("content", "%d bytes, not one MessagePack document", len(data))
	in.content = hexExcerpt(data)
	return true
}

// envelopeElements reads the sizes and checksum of an envelope Retrieve accepted.
func envelopeElements(b []byte) *envelopeFacts {
	f := &envelopeFacts{}
	var elems []any
	if codec.Unmarshal(b, &elems) != nil || len(elems) != 4 {
		return f
	}
	switch cd := elems[0].(type) {
	case []byte:
		f.compressedSize = len(cd)
	case []any:
		f.compressedSize, f.legacyEncoding = len(cd), true
	}
	if sum, ok := elems[1].([]any); ok {
		for _, x := range sum {
			if n, ok := x.(int64); ok && n >= 0 && n <= 255 {
				f.checksum = append(f.checksum, byte(n))
			}
		}
	}
	switch n := elems[2].(type) {
	case int64:
		if n >= 0 {
			f.originalSize = uint64(n)
		}
	case uint64:
		f.originalSize = n
	}
	return f
}

// msgpackType names the top-level type of a decoded document.
func msgpackType(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		return "bool"
	case int64, uint64:
		return "integer"
	case float64:
		return "float"
	case string:
		return fmt.Sprintf("str (%d bytes)", len(x))
	case []byte:
		return fmt.Sprintf("bin (%d bytes)", len(x))
	case []any:
		return fmt.Sprintf("array (%d elements)", len(x))
	case map[string]any:
		return fmt.Sprintf("map (%d entries)", len(x))
	case map[any]any:
		return fmt.Sprintf("map (%d entries, not all keys strings)", len(x))
	case time.Time:
		return "datetime (temporal sentinel map)"
	case codec.Ext:
		return fmt.Sprintf("extension type %d", x.Type)
	}
	return fmt.Sprintf("%T", v)
}

// contentJSON renders a decoded document as indented JSON, cut at maxContentShown.
func contentJSON(v any) string {
	text, err := marshalJSON(v, true)
	if err != nil {
		return "(cannot be shown as JSON)"
	}
	if len(text) > maxContentShown {
		return text[:maxContentShown] + fmt.Sprintf("\n… (%d more bytes of JSON)", len(text)-maxContentShown)
	}
	return text
}

// hexExcerpt shows at most the first 64 bytes of b in hex.
func hexExcerpt(b []byte) string {
	const shown = 64
	if len(b) <= shown {
		return hex.EncodeToString(b)
	}
	return fmt.Sprintf("%x… (%d more bytes)", b[:shown], len(b)-shown)
}

// quote shows s as a Go string literal, so that control characters from untrusted
// input are escaped.
func quote(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Sprintf("%+q", s)
		}
	}
	return fmt.Sprintf("%q", s)
}

// render prints in (and the inspection of a file entry's payload) to w.
func (in *inspection) render(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%s, %d bytes\n", indent, in.kind, in.size)
	if in.note != "" {
		fmt.Fprintf(w, "%s  %s\n", indent, in.note)
	}
	if len(in.fields) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range in.fields {
			fmt.Fprintf(tw, "%s  %s\t%s\n", indent, f.name, f.value)
		}
		tw.Flush()
	}
	if in.content != "" {
		for _, line := range strings.Split(in.content, "\n") {
			fmt.Fprintf(w, "%s    %s\n", indent, line)
		}
	}
	if in.payload != nil {
		fmt.Fprintf(w, "%s  payload:\n", indent)
		in.payload.render(w, indent+"    ")
	}
}

// inspectFlags are the flags of inspect.
type inspectFlags struct {
	hexInput string
	path     string
}

func (f *inspectFlags) flagSet() *flag.FlagSet {
	fs := newFlagSet("inspect")
	fs.StringVar(&f.hexInput, "hex", "", "the stored bytes, in hex (spaces and a 0x prefix allowed)")
	fs.StringVar(&f.path, "file", "", "a file holding the stored bytes, such as an entry of a file backend directory")
	return fs
}

var inspectCommand = &command{
	name:    "inspect",
	args:    "-hex HEX | -file PATH",
	summary: "explain what a stored value is",
	help: `Inspect explains stored bytes: a plain MessagePack document (printed as JSON),
a ByteStorage envelope (sizes, checksum, decoded content), a cachekit-py CK v3 frame
(header fields; the payload is never decoded), a File backend entry (expiry, flags,
what a reader does with it, and its payload), or AES-256-GCM ciphertext (nonce, length,
tag). The bytes are untrusted: they are read with the protocol's bounded decoders,
and at most 64 MiB of a file is read.

	cachekit get -raw -backend redis://localhost:6379/0 user:42 | xargs cachekit inspect -hex
	cachekit inspect -file ~/.cache/myapp/0e2a03b49262c15a063c04d5a29c0158`,
	flags: func() *flag.FlagSet { return new(inspectFlags).flagSet() },
	run: func(_ context.Context, e *env, args []string) error {
		f := new(inspectFlags)
		pos, err := parseArgs(f.flagSet(), args)
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return usagef("inspect takes its input from -hex or -file, not from arguments")
		}
		b, err := inspectInput(f)
		if err != nil {
			return err
		}
		inspectBytes(b, e.now(), 1).render(e.stdout, "")
		return nil
	},
}

// inspectInput reads the bytes named by exactly one of -hex and -file.
func inspectInput(f *inspectFlags) ([]byte, error) {
	switch {
	case f.hexInput != "" && f.path != "":
		return nil, usagef("give -hex or -file, not both")
	case f.hexInput != "":
		clean := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, f.hexInput)
		clean = strings.TrimPrefix(strings.TrimPrefix(clean, "0x"), "0X")
		if clean == "" {
			return nil, usagef("-hex holds no bytes")
		}
		b, err := hex.DecodeString(clean)
		if err != nil {
			return nil, usagef("-hex is not valid hex (an even number of digits 0-9, a-f)")
		}
		return b, nil
	case f.path != "":
		return readBounded(f.path, maxInspectInput)
	}
	return nil, usagef("give the bytes to inspect with -hex or -file")
}

// readBounded reads at most limit bytes of the named file, failing if it holds more.
func readBounded(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("the file is larger than %d bytes", limit)
	}
	return b, nil
}
