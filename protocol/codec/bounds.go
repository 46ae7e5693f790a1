package codec

import "encoding/binary"

// scanDocument checks, without allocating, that data starts with one complete
// MessagePack document inside the limits of PROTOCOL.md §2, and returns the length of
// that document. It runs before any decoder touches untrusted bytes:
//
//   - containers nest at most MaxDepth levels (ErrTooDeep);
//   - the declared lengths summed over the whole document (array elements, two per map
//     pair, str, bin and ext byte lengths) are at most len(data)-1 (ErrDeclaredLength);
//   - every declared byte and element is present (ErrTruncated);
//   - the never-used byte 0xc1 does not appear (ErrInvalidFormat).
//
// A complete document always meets the length rule (every declared element or byte
// occupies at least one byte of its own, and the outermost header is never declared),
// so the rule costs nothing for honest input and caps the work and the allocations a
// decoder can be talked into for hostile input: after a successful scan, no container
// or byte string the decoder builds can be larger than the input.
func scanDocument(data []byte) (int, error) {
	if len(data) == 0 {
		return 0, &DecodeError{Offset: 0, Reason: "the input is empty", Err: ErrTruncated}
	}
	// The walk is a loop over values with an explicit stack of open containers (the
	// elements each still expects), so it neither recurses nor allocates: the stack is
	// a fixed array, since no more than MaxDepth containers may be open at once.
	var open [MaxDepth]uint64
	depth := 0
	budget := uint64(len(data) - 1) // declared lengths still allowed
	off := 0
	for {
		at := off
		if off >= len(data) {
			return 0, scanTruncated(off)
		}
		c := data[off]
		off++
		f := &formats[c]
		var (
			declared  uint64 // str, bin or ext bytes, or container elements (two per pair)
			payload   bool   // declared counts bytes that follow
			container bool   // declared counts elements that follow
		)
		switch f.class {
		case clsComplete:
		case clsFixBytes:
			declared, payload = uint64(f.n), true
		case clsFixContainer:
			declared, container = uint64(f.n)*uint64(f.perItem), true
		case clsNumber:
			if len(data)-off < int(f.width) {
				return 0, scanTruncated(off)
			}
			off += int(f.width)
		case clsFixExt:
			if off >= len(data) { // the type byte
				return 0, scanTruncated(off)
			}
			off++
			declared, payload = uint64(f.n), true
		case clsBytes, clsExt, clsContainer:
			w := int(f.width)
			if len(data)-off < w {
				return 0, scanTruncated(off)
			}
			declared = readLength(data[off:], w) * uint64(f.perItem) // < 2^33: no overflow
			off += w
			switch f.class {
			case clsExt:
				if off >= len(data) { // the type byte
					return 0, scanTruncated(off)
				}
				off++
				payload = true
			case clsBytes:
				payload = true
			default:
				container = true
			}
		default: // clsNeverUsed
			return 0, &DecodeError{Offset: at, Reason: "byte 0xc1 is never used by MessagePack", Err: ErrInvalidFormat}
		}
		switch {
		case container:
			if depth+1 > MaxDepth {
				return 0, &DecodeError{Offset: at, Reason: "containers nest deeper than 100 levels", Err: ErrTooDeep}
			}
			if declared > budget {
				return 0, scanDeclaredLength(at)
			}
			budget -= declared
			if declared > 0 {
				open[depth] = declared
				depth++
				continue
			}
		case payload:
			if declared > budget {
				return 0, scanDeclaredLength(at)
			}
			budget -= declared
			if uint64(len(data)-off) < declared {
				return 0, scanTruncated(off)
			}
			off += int(declared) // declared <= budget < len(data): fits in an int
		}
		// One value is complete: count it against the containers it closes.
		for depth > 0 {
			open[depth-1]--
			if open[depth-1] > 0 {
				break
			}
			depth--
		}
		if depth == 0 {
			return off, nil
		}
	}
}

func scanTruncated(at int) error {
	return &DecodeError{Offset: at, Reason: "the input ends inside a value", Err: ErrTruncated}
}

func scanDeclaredLength(at int) error {
	return &DecodeError{Offset: at, Reason: "a declared length exceeds what the rest of the input can hold", Err: ErrDeclaredLength}
}

// readLength reads a w-byte (1, 2 or 4) big-endian length field from the start of b,
// which holds at least w bytes.
func readLength(b []byte, w int) uint64 {
	switch w {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	default:
		return uint64(binary.BigEndian.Uint32(b))
	}
}

// lengthWidth is the size of the length field that follows a str, bin, ext, array or
// map format byte.
func lengthWidth(c byte) int {
	switch c {
	case fmtBin8, fmtStr8, fmtExt8:
		return 1
	case fmtBin16, fmtStr16, fmtExt16, fmtArray16, fmtMap16:
		return 2
	default:
		return 4
	}
}
