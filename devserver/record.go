package devserver

import (
	"encoding/binary"
	"time"
)

// An entry is stored as one value: a 16-byte header, then the client's bytes.
//
//	"ckd1" | fresh_until int64 BE (Unix nanoseconds, 0 = no expiry) | stale_ttl uint32 BE (seconds) | value
//
// Keeping the times inside the value makes a write and its timing one atomic Set on
// any store; the store's own ttl only collects the entry some time after evict_at.
const (
	recordMagic     = "ckd1"
	recordHeaderLen = 16
)

// record is a stored entry's timing and value.
type record struct {
	freshUntil int64  // Unix nanoseconds; 0 means the entry never expires
	staleTTL   uint32 // seconds after freshUntil during which the entry is served stale
	value      []byte
}

// noExpiry reports whether the entry was stored without a ttl.
func (r record) noExpiry() bool { return r.freshUntil == 0 }

// evictAt is the first instant, in Unix nanoseconds, at which the entry is gone.
func (r record) evictAt() int64 { return r.freshUntil + int64(r.staleTTL)*int64(time.Second) }

// state is where an entry stands at a given time.
type state uint8

const (
	stateGone state = iota
	stateFresh
	stateStale
)

func (r record) stateAt(now time.Time) state {
	n := now.UnixNano()
	switch {
	case r.noExpiry(), n < r.freshUntil:
		return stateFresh
	case n < r.evictAt():
		return stateStale
	}
	return stateGone
}

// freshFor is max(0, floor(fresh_until - now)) in whole seconds.
func (r record) freshFor(now time.Time) int64 {
	d := r.freshUntil - now.UnixNano()
	if d <= 0 {
		return 0
	}
	return d / int64(time.Second)
}

// ttlLeft is evict_at - now in whole seconds, rounded up, so a live entry never reads 0.
// With whole-second stamping this is evict_at - floor(now), as the API specifies.
func (r record) ttlLeft(now time.Time) int64 {
	d := r.evictAt() - now.UnixNano()
	secs := d / int64(time.Second)
	if d%int64(time.Second) != 0 {
		secs++
	}
	return max(secs, 1)
}

// storeTTL is the lifetime to give the stored value: until a second after evict_at,
// or forever (the longest a store keeps anything) for an entry with no expiry.
func (r record) storeTTL(now time.Time, forever time.Duration) time.Duration {
	if r.noExpiry() {
		return forever
	}
	return max(time.Duration(r.evictAt()-now.UnixNano())+time.Second, time.Second)
}

// encodeHeader writes r's header into the first recordHeaderLen bytes of b.
func (r record) encodeHeader(b []byte) {
	copy(b, recordMagic)
	binary.BigEndian.PutUint64(b[4:12], uint64(r.freshUntil))
	binary.BigEndian.PutUint32(b[12:16], r.staleTTL)
}

// encode returns the stored form of r.
func (r record) encode() []byte {
	b := make([]byte, recordHeaderLen+len(r.value))
	r.encodeHeader(b)
	copy(b[recordHeaderLen:], r.value)
	return b
}

// decodeRecord parses a stored value. ok is false for bytes the server did not write,
// which are treated as absent.
func decodeRecord(b []byte) (record, bool) {
	if len(b) < recordHeaderLen || string(b[:4]) != recordMagic {
		return record{}, false
	}
	r := record{
		freshUntil: int64(binary.BigEndian.Uint64(b[4:12])),
		staleTTL:   binary.BigEndian.Uint32(b[12:16]),
		value:      b[recordHeaderLen:],
	}
	if r.freshUntil < 0 || (r.noExpiry() && r.staleTTL != 0) || r.staleTTL >= MaxTTLSeconds {
		return record{}, false
	}
	return r, true
}

// stamp is the instant a write or a ttl refresh counts from: the whole second of now,
// as the hosted service stamps (spec API-50), or now itself with Options.ExactTimes.
func (s *Server) stamp(now time.Time) int64 {
	if s.opts.ExactTimes {
		return now.UnixNano()
	}
	return now.Unix() * int64(time.Second)
}
