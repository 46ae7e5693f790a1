package codec

import "encoding/binary"

// refScanDocument is the recursive bounds walk the package shipped before the walk
// became an iterative loop. It is kept, in tests only, as the reference the fuzz target
// FuzzScanMatchesReference compares scanDocument against: same length, same sentinel,
// same offset, for every input.
func refScanDocument(data []byte) (int, error) {
	if len(data) == 0 {
		return 0, &DecodeError{Offset: 0, Reason: "the input is empty", Err: ErrTruncated}
	}
	s := refScanner{data: data, budget: uint64(len(data) - 1)}
	if err := s.value(0); err != nil {
		return 0, err
	}
	return s.off, nil
}

type refScanner struct {
	data   []byte
	off    int
	budget uint64 // declared lengths still allowed
}

func (s *refScanner) truncated(at int) error {
	return &DecodeError{Offset: at, Reason: "the input ends inside a value", Err: ErrTruncated}
}

// skip advances over n bytes that must be present.
func (s *refScanner) skip(n int) error {
	if len(s.data)-s.off < n {
		return s.truncated(s.off)
	}
	s.off += n
	return nil
}

// length reads an n-byte big-endian length field.
func (s *refScanner) length(n int) (uint64, error) {
	if len(s.data)-s.off < n {
		return 0, s.truncated(s.off)
	}
	b := s.data[s.off : s.off+n]
	s.off += n
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	default:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
}

// declare charges a declared length against the budget.
func (s *refScanner) declare(n uint64, at int) error {
	if n > s.budget {
		return &DecodeError{Offset: at, Reason: "a declared length exceeds what the rest of the input can hold", Err: ErrDeclaredLength}
	}
	s.budget -= n
	return nil
}

// bytes checks a str, bin or ext payload of n declared bytes.
func (s *refScanner) bytes(n uint64, at int) error {
	if err := s.declare(n, at); err != nil {
		return err
	}
	return s.skip(int(n)) // n <= budget < len(data), so it fits in an int
}

// container checks an array of n elements or a map of n pairs.
func (s *refScanner) container(n uint64, isMap bool, depth, at int) error {
	if depth+1 > MaxDepth {
		return &DecodeError{Offset: at, Reason: "containers nest deeper than 100 levels", Err: ErrTooDeep}
	}
	items := n
	if isMap {
		items = 2 * n // n < 2^32, no overflow
	}
	if err := s.declare(items, at); err != nil {
		return err
	}
	for i := uint64(0); i < items; i++ {
		if err := s.value(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// value checks one value whose enclosing container is at the given depth (0 for the
// document itself).
func (s *refScanner) value(depth int) error {
	at := s.off
	if at >= len(s.data) {
		return s.truncated(at)
	}
	c := s.data[at]
	s.off++
	switch {
	case c <= fmtPosFixintMax || c >= fmtNegFixintMin:
		return nil
	case c < fmtFixarray:
		return s.container(uint64(c&0x0f), true, depth, at)
	case c < fmtFixstr:
		return s.container(uint64(c&0x0f), false, depth, at)
	case c < fmtNil:
		return s.bytes(uint64(c&0x1f), at)
	}
	switch c {
	case fmtNil, fmtFalse, fmtTrue:
		return nil
	case fmtNeverUsed:
		return &DecodeError{Offset: at, Reason: "byte 0xc1 is never used by MessagePack", Err: ErrInvalidFormat}
	case fmtBin8, fmtStr8, fmtBin16, fmtStr16, fmtBin32, fmtStr32:
		n, err := s.length(lengthWidth(c))
		if err != nil {
			return err
		}
		return s.bytes(n, at)
	case fmtExt8, fmtExt16, fmtExt32:
		n, err := s.length(lengthWidth(c))
		if err != nil {
			return err
		}
		if err := s.skip(1); err != nil { // the type byte
			return err
		}
		return s.bytes(n, at)
	case fmtFixext1, fmtFixext2, fmtFixext4, fmtFixext8, fmtFixext16:
		if err := s.skip(1); err != nil {
			return err
		}
		return s.bytes(uint64(1)<<(c-fmtFixext1), at)
	case fmtUint8, fmtInt8:
		return s.skip(1)
	case fmtUint16, fmtInt16:
		return s.skip(2)
	case fmtUint32, fmtInt32, fmtFloat32:
		return s.skip(4)
	case fmtUint64, fmtInt64, fmtFloat64:
		return s.skip(8)
	case fmtArray16, fmtArray32, fmtMap16, fmtMap32:
		n, err := s.length(lengthWidth(c))
		if err != nil {
			return err
		}
		return s.container(n, c == fmtMap16 || c == fmtMap32, depth, at)
	}
	// Unreachable: every byte value is covered above.
	return &DecodeError{Offset: at, Reason: "unknown format byte", Err: ErrInvalidFormat}
}
