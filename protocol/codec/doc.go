// Package codec encodes and decodes the MessagePack values cachekit stores: the plain
// document of cachekit-go's default mode, the canonical document of interop/v1, and the
// protocol's temporal sentinel maps. It does no I/O.
//
// # Contract
//
//   - Marshal writes one plain MessagePack document (structs as maps keyed by the
//     `msgpack` tag, else the `json` tag, else the field name; []byte as bin; time.Time
//     as {"__datetime__": true, "value": "<ISO 8601>"}).
//   - MarshalCanonical writes the canonical value profile of interop/v1: shortest
//     headers, non-negative integers in the unsigned family, floats always float64,
//     string keys only, sorted by code point at every depth, no extension types. Equal
//     values give identical bytes.
//   - Unmarshal and UnmarshalStrict read exactly one document; trailing bytes are an
//     error and a cachekit-py CK frame is named as such (ErrPythonFrame). Both revive
//     temporal sentinel maps into time.Time. UnmarshalStrict is the interop reader and
//     does not convert between type families (float to int, str to bin).
//   - Every decode first checks the raw bytes, without allocating, against the bounds of
//     the protocol for untrusted MessagePack: nesting at most MaxDepth (100) levels, the
//     sum of declared lengths at most len(input)-1, no truncation. Hostile input costs an
//     error (a *DecodeError wrapping a sentinel), never a panic or an allocation larger
//     than the input. Errors never quote the bytes or values they are about.
//   - A []byte, string or Ext returned by a decode does not alias the input: the caller
//     may reuse the input buffer.
//
// # Temporal values
//
// Marshal writes a time.Time as Python's datetime.isoformat() writes an aware datetime,
// in the time's own UTC offset and at microsecond precision (the precision every SDK
// shares): "2024-01-01T12:30:45.123456+00:00". Decoding revives __datetime__ into that
// instant (a text without an offset, which Python writes for a naive datetime, is read
// as UTC), __date__ into midnight UTC of the day, and __time__ into the clock time on
// January 1 of year 0, as time.Parse does for a clock-only layout. Marshal writes such
// a year-0 time back as a __time__ sentinel, so a decoded clock time survives a round
// trip; a decoded date comes back as a __datetime__ at midnight UTC. A sentinel whose
// text does not parse is ErrInvalidTemporal rather than a silently returned map.
//
// # Why not vmihailenco/msgpack directly
//
// The encoder and decoder here are written for this package instead of configuring
// github.com/vmihailenco/msgpack/v5. That library writes time.Time as the timestamp
// extension, and the only way to change that is msgpack.Register, a process-wide
// registration that would change the behaviour of every other user of the library in the
// program. It also has no canonical mode (code point key order at every depth, float64
// only), decodes interface values into narrow integer types, and allocates from declared
// lengths before checking them against the input. The tests use it as an independent
// decoder and encoder, and the benchmarks measure it as the baseline.
package codec
