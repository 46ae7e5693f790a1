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
