package codec

// MaxDepth is the deepest container nesting a document may have. The outermost array or
// map is level 1 and every array or map inside it adds one level (a temporal sentinel is
// a map, so it counts too). Decoders reject deeper input with ErrTooDeep; encoders refuse
// to write it, so that everything Marshal produces can be read back.
const MaxDepth = 100

// MessagePack format bytes (https://github.com/msgpack/msgpack/blob/master/spec.md).
const (
	fmtPosFixintMax = 0x7f
	fmtFixmap       = 0x80
	fmtFixarray     = 0x90
	fmtFixstr       = 0xa0
	fmtNil          = 0xc0
	fmtNeverUsed    = 0xc1
	fmtFalse        = 0xc2
	fmtTrue         = 0xc3
	fmtBin8         = 0xc4
	fmtBin16        = 0xc5
	fmtBin32        = 0xc6
	fmtExt8         = 0xc7
	fmtExt16        = 0xc8
	fmtExt32        = 0xc9
	fmtFloat32      = 0xca
	fmtFloat64      = 0xcb
	fmtUint8        = 0xcc
	fmtUint16       = 0xcd
	fmtUint32       = 0xce
	fmtUint64       = 0xcf
	fmtInt8         = 0xd0
	fmtInt16        = 0xd1
	fmtInt32        = 0xd2
	fmtInt64        = 0xd3
	fmtFixext1      = 0xd4
	fmtFixext2      = 0xd5
	fmtFixext4      = 0xd6
	fmtFixext8      = 0xd7
	fmtFixext16     = 0xd8
	fmtStr8         = 0xd9
	fmtStr16        = 0xda
	fmtStr32        = 0xdb
	fmtArray16      = 0xdc
	fmtArray32      = 0xdd
	fmtMap16        = 0xde
	fmtMap32        = 0xdf
	fmtNegFixintMin = 0xe0
)

// extTimestamp is the extension type MessagePack reserves for timestamps. Readers revive
// it into time.Time; writers here never emit it (the protocol's temporal values are
// sentinel maps, and canonical MessagePack forbids every extension type).
const extTimestamp = -1

// pythonFrameMagic is the first two bytes of a cachekit-py CK v3 frame ("CK").
var pythonFrameMagic = [2]byte{0x43, 0x4B}

// class says how the bytes after a format byte are laid out.
type class uint8

const (
	// The classes whose header is the format byte alone come first (see decoder.next).
	clsComplete     class = iota // the byte is the whole value: fixint, nil, bool
	clsFixBytes                  // fixstr: n payload bytes follow
	clsFixContainer              // fixarray, fixmap: n elements or pairs follow
	clsNumber                    // a big-endian number of width bytes follows
	clsFixExt                    // fixext: the type byte, then n payload bytes
	clsBytes                     // str, bin: a width-byte length, then the payload
	clsExt                       // ext: a width-byte length, the type byte, the payload
	clsContainer                 // array, map: a width-byte count, then the elements or pairs
	clsNeverUsed                 // 0xc1
)

// formatInfo describes one format byte for the bounds walk and the decoder.
type formatInfo struct {
	k       kind
	class   class
	width   uint8  // bytes of the number (clsNumber) or of the length field
	perItem uint8  // declared elements per counted item: 2 for a map pair, else 1
	n       uint32 // fix forms: payload bytes, elements or pairs
	x       uint64 // clsComplete: the value (a fixint as a uint64, a bool as 0 or 1)
	head    head   // the decoded header, for the classes up to clsFixContainer
}

// formats describes every format byte, so that reading a header is one table lookup.
var formats = func() (t [256]formatInfo) {
	for c := range 256 {
		b := byte(c)
		f := &t[c]
		f.perItem = 1
		switch {
		case b <= fmtPosFixintMax:
			f.k, f.x = kUint, uint64(b)
		case b >= fmtNegFixintMin:
			f.k, f.x = kInt, uint64(int64(int8(b)))
		case b < fmtFixarray:
			f.k, f.class, f.n, f.perItem = kMap, clsFixContainer, uint32(b&0x0f), 2
		case b < fmtFixstr:
			f.k, f.class, f.n = kArray, clsFixContainer, uint32(b&0x0f)
		case b < fmtNil:
			f.k, f.class, f.n = kStr, clsFixBytes, uint32(b&0x1f)
		}
		switch b {
		case fmtNil:
			f.k = kNil
		case fmtFalse, fmtTrue:
			f.k, f.x = kBool, uint64(b-fmtFalse)
		case fmtNeverUsed:
			f.class = clsNeverUsed
		case fmtUint8, fmtUint16, fmtUint32, fmtUint64:
			f.k, f.class, f.width = kUint, clsNumber, 1<<(b-fmtUint8)
		case fmtInt8, fmtInt16, fmtInt32, fmtInt64:
			f.k, f.class, f.width = kInt, clsNumber, 1<<(b-fmtInt8)
		case fmtFloat32:
			f.k, f.class, f.width = kFloat, clsNumber, 4
		case fmtFloat64:
			f.k, f.class, f.width = kFloat, clsNumber, 8
		case fmtFixext1, fmtFixext2, fmtFixext4, fmtFixext8, fmtFixext16:
			f.k, f.class, f.n = kExt, clsFixExt, 1<<(b-fmtFixext1)
		case fmtStr8, fmtStr16, fmtStr32:
			f.k, f.class, f.width = kStr, clsBytes, uint8(lengthWidth(b))
		case fmtBin8, fmtBin16, fmtBin32:
			f.k, f.class, f.width = kBin, clsBytes, uint8(lengthWidth(b))
		case fmtExt8, fmtExt16, fmtExt32:
			f.k, f.class, f.width = kExt, clsExt, uint8(lengthWidth(b))
		case fmtArray16, fmtArray32:
			f.k, f.class, f.width = kArray, clsContainer, uint8(lengthWidth(b))
		case fmtMap16, fmtMap32:
			f.k, f.class, f.width, f.perItem = kMap, clsContainer, uint8(lengthWidth(b)), 2
		}
		f.head = head{k: f.k, n: int(f.n), x: f.x}
	}
	return t
}()
