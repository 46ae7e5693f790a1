package codec

import (
	"encoding/binary"
	"time"
)

// Sentinel keys of the protocol's temporal maps (spec/wire-format.md, "Datetime
// Extension Format"): {"__datetime__": true, "value": "<ISO 8601>"}, likewise __date__
// and __time__.
const (
	keyDatetime = "__datetime__"
	keyDate     = "__date__"
	keyTime     = "__time__"
	keyValue    = "value"
)

// isClockTime reports whether t stands for a time of day: Go's convention, which
// time.Parse follows for a clock-only layout, is a time on January 1 of year 0, a date
// no other SDK can hold. Such times travel as __time__ sentinels.
func isClockTime(t time.Time) bool {
	return t.Year() == 0 && t.YearDay() == 1
}

// appendISOTime writes the clock part of t as Python's time.isoformat() does:
// "10:30:00", "10:30:00.123456", with the UTC offset appended unless t is in UTC (a time
// revived from a text without an offset is in UTC, and is written back without one).
func appendISOTime(dst []byte, t time.Time) []byte {
	dst = t.AppendFormat(dst, "15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		dst = appendDigits(dst, us, 6)
	}
	if t.Location() == time.UTC {
		return dst
	}
	return appendOffset(dst, t)
}

// appendISODatetime writes t as Python's datetime.isoformat() does for an aware
// datetime, which is what the other SDKs parse: "2024-01-01T12:30:45.123456+00:00",
// with the fraction only when the microseconds are not zero, and the UTC offset as
// ±HH:MM (±HH:MM:SS when the offset has seconds). Sub-microsecond digits are dropped
// (floored): microseconds are the precision every SDK shares.
func appendISODatetime(dst []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return dst, ErrTimeRange
	}
	dst = t.AppendFormat(dst, "2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		dst = appendDigits(dst, us, 6)
	}
	return appendOffset(dst, t), nil
}

// appendOffset writes the UTC offset of t as ±HH:MM, or ±HH:MM:SS when it has seconds.
func appendOffset(dst []byte, t time.Time) []byte {
	_, offset := t.Zone()
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	dst = append(dst, sign)
	dst = appendDigits(dst, offset/3600, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, offset/60%60, 2)
	if s := offset % 60; s != 0 {
		dst = append(dst, ':')
		dst = appendDigits(dst, s, 2)
	}
	return dst
}

func appendDigits(dst []byte, v, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:width]...)
}

// Layouts accepted when reviving. Go's parser accepts a fractional second of any length
// after "05" even when the layout has none, so these cover Python's isoformat() output
// (with and without microseconds), JavaScript's toISOString() ("Z") and RFC 3339.
var (
	datetimeLayouts = []string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05Z07:00:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
	}
	dateLayouts = []string{"2006-01-02"}
	timeLayouts = []string{
		"15:04:05Z07:00",
		"15:04:05Z07:00:00",
		"15:04:05",
		"15:04Z07:00",
		"15:04",
	}
)

// parseTemporal revives the text of a temporal sentinel map. The results, all time.Time:
//
//   - __datetime__ with an offset: that instant, in a fixed zone of that offset (UTC
//     when the offset is zero);
//   - __datetime__ without an offset (a Python naive datetime): the wall time read as
//     UTC, since the writer's zone is unknown;
//   - __date__: midnight UTC of that day;
//   - __time__: that clock time on January 1 of year 0, as time.Parse gives for a
//     clock-only layout, in UTC unless the text has an offset.
func parseTemporal(marker, text string) (time.Time, bool) {
	var layouts []string
	switch marker {
	case keyDatetime:
		layouts = datetimeLayouts
	case keyDate:
		layouts = dateLayouts
	case keyTime:
		layouts = timeLayouts
	default:
		return time.Time{}, false
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, text); err == nil {
			if _, off := t.Zone(); off == 0 {
				t = t.UTC()
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// isTemporalMarker reports whether key is one of the three sentinel keys.
func isTemporalMarker(key string) bool {
	return key == keyDatetime || key == keyDate || key == keyTime
}

// decodeTimestampExt reads the payload of a MessagePack timestamp extension (type -1):
// 4 bytes of seconds, 8 bytes of 30-bit nanoseconds and 34-bit seconds, or 12 bytes of
// 32-bit nanoseconds and 64-bit signed seconds. The result is in UTC.
func decodeTimestampExt(b []byte) (time.Time, bool) {
	switch len(b) {
	case 4:
		return time.Unix(int64(binary.BigEndian.Uint32(b)), 0).UTC(), true
	case 8:
		v := binary.BigEndian.Uint64(b)
		nsec := int64(v >> 34)
		if nsec > 999999999 {
			return time.Time{}, false
		}
		return time.Unix(int64(v&(1<<34-1)), nsec).UTC(), true
	case 12:
		nsec := int64(binary.BigEndian.Uint32(b))
		if nsec > 999999999 {
			return time.Time{}, false
		}
		return time.Unix(int64(binary.BigEndian.Uint64(b[4:])), nsec).UTC(), true
	}
	return time.Time{}, false
}
