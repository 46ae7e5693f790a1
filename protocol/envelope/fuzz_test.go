package envelope

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/zeebo/xxh3"
)

// FuzzRetrieve feeds arbitrary bytes to Retrieve, seeded with every envelope in
// wire-format.json and every value in python-frame.json. Retrieve must never panic;
// a failure must be a *RejectError at a known step; a success must be consistent
// (bounded size, matching checksum) and survive a Store round trip.
func FuzzRetrieve(f *testing.F) {
	w := loadWire(f)
	for _, group := range [][]wireVector{w.Vectors, w.RejectVectors, w.PayloadRejectVectors} {
		for _, v := range group {
			f.Add(vectortest.MustHex(f, v.EnvelopeHex))
		}
	}
	fr := loadFrames(f)
	for _, group := range [][]frameVector{fr.FrameVectors, fr.ErrorVectors, fr.EncryptedReadVectors} {
		for _, v := range group {
			f.Add(vectortest.MustHex(f, v.FrameHex))
		}
	}
	f.Fuzz(func(t *testing.T, envelope []byte) {
		data, format, err := Retrieve(envelope)
		if err != nil {
			var re *RejectError
			if !errors.As(err, &re) || !errors.Is(err, ErrRejected) || re.Err == nil {
				t.Fatalf("error %v is not a RejectError", err)
			}
			switch re.Step {
			case StepSize, StepDecode, StepCompressedCap, StepOriginalCap, StepRatio, StepDecompress, StepChecksum, StepLength:
			default:
				t.Fatalf("unknown step %v", re.Step)
			}
			if data != nil || format != "" {
				t.Fatalf("results returned with an error")
			}
			return
		}
		if uint64(len(data)) > MaxRatio*uint64(len(envelope)) {
			t.Fatalf("%d bytes out of a %d-byte envelope", len(data), len(envelope))
		}
		f := decodedFields(t, envelope)
		if binary.BigEndian.Uint64(f.checksum[:]) != xxh3.Hash(data) || f.originalSize != uint64(len(data)) {
			t.Fatalf("accepted data does not match its fields")
		}
		if format == "" {
			return // Store refuses an empty format; nothing to round-trip
		}
		again, err := Store(data, format)
		if err != nil {
			t.Fatalf("Store of accepted data: %v", err)
		}
		back, format2, err := Retrieve(again)
		if err != nil || !bytes.Equal(back, data) || format2 != format {
			t.Fatalf("round trip of accepted data: %v", err)
		}
	})
}

// FuzzStoreRetrieve checks the round trip on arbitrary data.
func FuzzStoreRetrieve(f *testing.F) {
	w := loadWire(f)
	for _, v := range w.Vectors {
		f.Add(vectortest.MustHex(f, v.InputHex))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Store(data, FormatMsgpack)
		if err != nil {
			t.Fatalf("Store: %v", err)
		}
		back, format, err := Retrieve(env)
		if err != nil || !bytes.Equal(back, data) || format != FormatMsgpack {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzParseFrameHeader feeds arbitrary bytes to ParseFrameHeader, seeded with every
// value in python-frame.json. It must never panic, and its answer must agree with
// IsPythonFrame and RefusePythonFrame.
func FuzzParseFrameHeader(f *testing.F) {
	fr := loadFrames(f)
	for _, group := range [][]frameVector{fr.FrameVectors, fr.ErrorVectors, fr.EncryptedReadVectors} {
		for _, v := range group {
			f.Add(vectortest.MustHex(f, v.FrameHex))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseFrameHeader(b)
		refusal := RefusePythonFrame(b)
		if !IsPythonFrame(b) {
			if !errors.Is(err, ErrNotFrame) || refusal != nil {
				t.Fatalf("non-frame: ParseFrameHeader %v, RefusePythonFrame %v", err, refusal)
			}
			return
		}
		if !errors.Is(refusal, ErrPythonFrame) {
			t.Fatalf("frame not refused: %v", refusal)
		}
		if err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, ErrPythonFrame) || !errors.Is(refusal, fe.Err) {
				t.Fatalf("error %v / refusal %v", err, refusal)
			}
			return
		}
		if b[2] != FrameVersion || h.Serializer == "" || h.PayloadOffset != framePrefixLen+int(h.HeaderLen) || h.PayloadOffset > len(b) {
			t.Fatalf("inconsistent header %+v for %d bytes", h, len(b))
		}
	})
}
