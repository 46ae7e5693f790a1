package envelope

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// This file holds the small amount of MessagePack the envelope needs: a bounded
// pre-scan of an untrusted document, typed readers for the envelope's element types,
// and shortest-form writers. It deliberately does not depend on a general MessagePack
// library, so that every length it reads is checked before it is used.

// maxScanDepth caps container nesting in the pre-scan; a map or an array counts one
// level. It is the common limit of PROTOCOL.md §2; a valid envelope nests two deep.
const maxScanDepth = 100

// scanError is a pre-scan failure; its text becomes a RejectError detail. reason is
// one of the decode-bounds reject reasons: overclaim, depth, incomplete or invalid.
type scanError struct{ reason, msg string }

func (e *scanError) Error() string { return e.msg }

// boundsScanner walks one MessagePack document without building anything. It sums
// the lengths and counts the document declares (array elements, two per map pair,
// str, bin and ext byte lengths) and refuses the document as soon as the sum exceeds
// len(b)-1, the most any complete document of len(b) bytes can declare, or as soon
// as a header or its bytes run past the end of the input.
type boundsScanner struct {
	b        []byte
	off      int
	declared uint64
	budget   uint64
}

// scanDocument pre-scans the document at the start of b and returns the offset just
// past it. Trailing bytes are not its concern; the typed decode refuses them.
func scanDocument(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, &scanError{"incomplete", "empty input"}
	}
	s := boundsScanner{b: b, budget: uint64(len(b) - 1)}
	if err := s.value(0); err != nil {
		return 0, err
	}
	return s.off, nil
}

// declare adds n declared slots and checks the running sum against the budget.
func (s *boundsScanner) declare(n uint64) error {
	s.declared += n // n <= 2*(2^32-1) and the sum is checked each time: no overflow
	if s.declared > s.budget {
		return &scanError{"overclaim", fmt.Sprintf("declared lengths sum to %d, more than the %d the input can hold (at offset %d)",
			s.declared, s.budget, s.off)}
	}
	return nil
}

// need checks that n more bytes are present.
func (s *boundsScanner) need(n uint64) error {
	if n > uint64(len(s.b)-s.off) {
		return &scanError{"incomplete", fmt.Sprintf("document incomplete: %d bytes needed at offset %d, %d present",
			n, s.off, len(s.b)-s.off)}
	}
	return nil
}

// length reads a big-endian length of width 1, 2 or 4 bytes.
func (s *boundsScanner) length(width int) (uint64, error) {
	if err := s.need(uint64(width)); err != nil {
		return 0, err
	}
	var n uint64
	switch width {
	case 1:
		n = uint64(s.b[s.off])
	case 2:
		n = uint64(binary.BigEndian.Uint16(s.b[s.off:]))
	default:
		n = uint64(binary.BigEndian.Uint32(s.b[s.off:]))
	}
	s.off += width
	return n, nil
}

// skipBytes declares n bytes of str, bin or ext data and steps over them.
func (s *boundsScanner) skipBytes(n uint64) error {
	if err := s.declare(n); err != nil {
		return err
	}
	if err := s.need(n); err != nil {
		return err
	}
	s.off += int(n)
	return nil
}

// container declares n children (each map pair counted as two by the caller) and
// scans them one level deeper.
func (s *boundsScanner) container(children uint64, depth int) error {
	if depth+1 > maxScanDepth {
		return &scanError{"depth", fmt.Sprintf("nesting deeper than %d at offset %d", maxScanDepth, s.off)}
	}
	if err := s.declare(children); err != nil {
		return err
	}
	for i := uint64(0); i < children; i++ {
		if err := s.value(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

func (s *boundsScanner) value(depth int) error {
	if err := s.need(1); err != nil {
		return err
	}
	c := s.b[s.off]
	s.off++
	switch {
	case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		return nil // fixints, nil, booleans
	case c >= 0x80 && c <= 0x8f:
		return s.container(2*uint64(c&0x0f), depth)
	case c >= 0x90 && c <= 0x9f:
		return s.container(uint64(c&0x0f), depth)
	case c >= 0xa0 && c <= 0xbf:
		return s.skipBytes(uint64(c & 0x1f))
	}
	switch c {
	case 0xcc, 0xd0: // uint8, int8
		return s.fixed(1)
	case 0xcd, 0xd1: // uint16, int16
		return s.fixed(2)
	case 0xca, 0xce, 0xd2: // float32, uint32, int32
		return s.fixed(4)
	case 0xcb, 0xcf, 0xd3: // float64, uint64, int64
		return s.fixed(8)
	case 0xc4, 0xd9: // bin8, str8
		return s.sized(1)
	case 0xc5, 0xda: // bin16, str16
		return s.sized(2)
	case 0xc6, 0xdb: // bin32, str32
		return s.sized(4)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16: type byte and data
		n := uint64(1) << (c - 0xd4)
		if err := s.fixed(1); err != nil {
			return err
		}
		return s.skipBytes(n)
	case 0xc7, 0xc8, 0xc9: // ext 8, 16, 32: length, type byte, data
		n, err := s.length(1 << (c - 0xc7))
		if err != nil {
			return err
		}
		if err := s.fixed(1); err != nil {
			return err
		}
		return s.skipBytes(n)
	case 0xdc, 0xdd: // array16, array32
		n, err := s.length(2 << (c - 0xdc))
		if err != nil {
			return err
		}
		return s.container(n, depth)
	case 0xde, 0xdf: // map16, map32
		n, err := s.length(2 << (c - 0xde))
		if err != nil {
			return err
		}
		return s.container(2*n, depth)
	}
	return &scanError{"invalid", fmt.Sprintf("byte 0x%02x at offset %d is not a MessagePack type", c, s.off-1)}
}

// fixed steps over n bytes of a fixed-width value.
func (s *boundsScanner) fixed(n int) error {
	if err := s.need(uint64(n)); err != nil {
		return err
	}
	s.off += n
	return nil
}

// sized reads a length of the given width and steps over that many bytes.
func (s *boundsScanner) sized(width int) error {
	n, err := s.length(width)
	if err != nil {
		return err
	}
	return s.skipBytes(n)
}

// errNotInt marks a value that is not an integer; typed readers turn it into a
// RejectError with their own context.
var errNotInt = errors.New("not an integer")

// fieldReader reads the envelope's typed elements from a document the bounds scanner
// has accepted. It still checks every read, so it is safe on any input.
type fieldReader struct {
	b   []byte
	off int
}

func (r *fieldReader) malformed(format string, args ...any) *RejectError {
	return reject(StepDecode, ErrMalformed, format, args...)
}

// take returns the next n bytes.
func (r *fieldReader) take(n uint64) ([]byte, bool) {
	if n > uint64(len(r.b)-r.off) {
		return nil, false
	}
	p := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return p, true
}

// beUint reads a big-endian unsigned integer of 1, 2, 4 or 8 bytes.
func (r *fieldReader) beUint(width int) (uint64, bool) {
	p, ok := r.take(uint64(width))
	if !ok {
		return 0, false
	}
	var v uint64
	for _, x := range p {
		v = v<<8 | uint64(x)
	}
	return v, true
}

// arrayLen reads an array header of any width.
func (r *fieldReader) arrayLen() (uint64, bool) {
	if r.off >= len(r.b) {
		return 0, false
	}
	c := r.b[r.off]
	switch {
	case c >= 0x90 && c <= 0x9f:
		r.off++
		return uint64(c & 0x0f), true
	case c == 0xdc:
		r.off++
		return r.beUint(2)
	case c == 0xdd:
		r.off++
		return r.beUint(4)
	}
	return 0, false
}

// integer reads any MessagePack integer encoding and returns its value if it is not
// negative. A negative value or a non-integer is an error; isNegative tells which.
func (r *fieldReader) integer() (v uint64, isNegative bool, err error) {
	if r.off >= len(r.b) {
		return 0, false, errNotInt
	}
	c := r.b[r.off]
	switch {
	case c <= 0x7f:
		r.off++
		return uint64(c), false, nil
	case c >= 0xe0:
		r.off++
		return 0, true, errNotInt
	case c >= 0xcc && c <= 0xcf: // uint8..uint64
		r.off++
		v, ok := r.beUint(1 << (c - 0xcc))
		if !ok {
			return 0, false, errNotInt
		}
		return v, false, nil
	case c >= 0xd0 && c <= 0xd3: // int8..int64
		r.off++
		width := 1 << (c - 0xd0)
		u, ok := r.beUint(width)
		if !ok {
			return 0, false, errNotInt
		}
		if u>>(uint(width)*8-1) != 0 { // sign bit set
			return 0, true, errNotInt
		}
		return u, false, nil
	}
	return 0, false, errNotInt
}

// byteValue reads one integer that must lie in 0..255, as the elements of the
// checksum and of a legacy compressed_data do.
func (r *fieldReader) byteValue(field string, i uint64) (byte, *RejectError) {
	at := r.off
	v, _, err := r.integer()
	if err != nil || v > 0xff {
		return 0, r.malformed("%s element %d at offset %d is not an integer in 0..255", field, i, at)
	}
	return byte(v), nil
}

// compressedData reads element 0: bin (canonical) or the legacy array of integers
// 0..255. A bin result aliases the input; a legacy one is a new slice whose length is
// bounded by the pre-scan (at most the input length).
func (r *fieldReader) compressedData() ([]byte, *RejectError) {
	if r.off >= len(r.b) {
		return nil, r.malformed("compressed_data is missing")
	}
	at := r.off
	c := r.b[at]
	if c >= 0xc4 && c <= 0xc6 {
		r.off++
		n, ok := r.beUint(1 << (c - 0xc4))
		if !ok {
			return nil, r.malformed("compressed_data bin header at offset %d is incomplete", at)
		}
		p, ok := r.take(n)
		if !ok {
			return nil, r.malformed("compressed_data at offset %d is incomplete", at)
		}
		return p, nil
	}
	n, ok := r.arrayLen()
	if !ok {
		return nil, r.malformed("compressed_data at offset %d is neither bin nor an array of integers", at)
	}
	// Each element takes at least one byte, so a count beyond the remaining input
	// cannot be honest; checking it here keeps the allocation bounded by the input
	// even if this reader is ever used without the pre-scan.
	if n > uint64(len(r.b)-r.off) {
		return nil, r.malformed("compressed_data array at offset %d declares %d elements, more than remain", at, n)
	}
	out := make([]byte, n)
	for i := range out {
		v, rerr := r.byteValue("compressed_data", uint64(i))
		if rerr != nil {
			return nil, rerr
		}
		out[i] = v
	}
	return out, nil
}

// checksum reads element 1: an array of exactly 8 integers 0..255.
func (r *fieldReader) checksum() ([8]byte, *RejectError) {
	var sum [8]byte
	at := r.off
	n, ok := r.arrayLen()
	if !ok {
		return sum, r.malformed("checksum at offset %d is not an array", at)
	}
	if n != 8 {
		return sum, r.malformed("checksum has %d elements, not 8", n)
	}
	for i := range sum {
		v, rerr := r.byteValue("checksum", uint64(i))
		if rerr != nil {
			return sum, rerr
		}
		sum[i] = v
	}
	return sum, nil
}

// originalSize reads element 2: a non-negative integer, kept in 64 bits so that the
// size cap sees the value as written, never a truncation of it.
func (r *fieldReader) originalSize() (uint64, *RejectError) {
	at := r.off
	v, negative, err := r.integer()
	if negative {
		return 0, r.malformed("original_size at offset %d is negative", at)
	}
	if err != nil {
		return 0, r.malformed("original_size at offset %d is not an integer", at)
	}
	return v, nil
}

// str reads a string of any width and returns its bytes, aliasing the input.
func (r *fieldReader) str(field string) ([]byte, *RejectError) {
	if r.off >= len(r.b) {
		return nil, r.malformed("%s is missing", field)
	}
	at := r.off
	c := r.b[at]
	var n uint64
	var ok bool
	switch {
	case c >= 0xa0 && c <= 0xbf:
		r.off++
		n, ok = uint64(c&0x1f), true
	case c >= 0xd9 && c <= 0xdb:
		r.off++
		n, ok = r.beUint(1 << (c - 0xd9))
	}
	if !ok {
		return nil, r.malformed("%s at offset %d is not a string", field, at)
	}
	p, ok := r.take(n)
	if !ok {
		return nil, r.malformed("%s at offset %d is incomplete", field, at)
	}
	return p, nil
}

// appendArrayHeader appends the shortest array header for n elements.
func appendArrayHeader(dst []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(dst, 0x90|byte(n))
	case n <= 0xffff:
		return append(dst, 0xdc, byte(n>>8), byte(n))
	}
	return append(dst, 0xdd, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// binHeaderLen returns the length of the shortest bin header for n bytes.
func binHeaderLen(n int) int {
	switch {
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	}
	return 5
}

// putBinHeader writes the shortest bin header for n bytes at the start of dst, which
// must hold binHeaderLen(n) bytes.
func putBinHeader(dst []byte, n int) {
	switch {
	case n <= 0xff:
		dst[0], dst[1] = 0xc4, byte(n)
	case n <= 0xffff:
		dst[0] = 0xc5
		binary.BigEndian.PutUint16(dst[1:], uint16(n))
	default:
		dst[0] = 0xc6
		binary.BigEndian.PutUint32(dst[1:], uint32(n))
	}
}

// appendUint appends v in the shortest unsigned form (positive fixint, uint8, ...).
func appendUint(dst []byte, v uint64) []byte {
	switch {
	case v <= 0x7f:
		return append(dst, byte(v))
	case v <= 0xff:
		return append(dst, 0xcc, byte(v))
	case v <= 0xffff:
		return append(dst, 0xcd, byte(v>>8), byte(v))
	case v <= 0xffffffff:
		return append(dst, 0xce, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), v)
}

// appendStr appends s with the shortest str header.
func appendStr(dst []byte, s string) []byte {
	n := len(s)
	switch {
	case n <= 31:
		dst = append(dst, 0xa0|byte(n))
	case n <= 0xff:
		dst = append(dst, 0xd9, byte(n))
	case n <= 0xffff:
		dst = append(dst, 0xda, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, s...)
}
