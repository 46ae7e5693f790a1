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
	year, month, day := t.Date()
	return year == 0 && month == time.January && day == 1
}

// appendISOTime writes the clock part of t as Python's time.isoformat() does:
// "10:30:00", "10:30:00.123456", with the UTC offset appended unless t is in UTC (a time
// revived from a text without an offset is in UTC, and is written back without one).
func appendISOTime(dst []byte, t time.Time) []byte {
	dst = appendClock(dst, t)
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
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return dst, ErrTimeRange
	}
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	return appendOffset(appendClock(dst, t), t), nil
}

// appendClock writes "15:04:05" and, when t has microseconds, ".000000".
func appendClock(dst []byte, t time.Time) []byte {
	hour, minute, sec := t.Clock()
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		dst = appendDigits(dst, us, 6)
	}
	return dst
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

// markerOf returns the sentinel key that b spells, or "" when b is no sentinel key.
// Comparing string(b) does not allocate.
func markerOf(b []byte) string {
	switch string(b) {
	case keyDatetime:
		return keyDatetime
	case keyDate:
		return keyDate
	case keyTime:
		return keyTime
	}
	return ""
}

// parseTemporalText is parseTemporal for text still in the input. The forms the SDKs
// write (isoformat() and toISOString() output) are read by parseISO without a copy or
// an allocation; any other text goes through parseTemporal's layouts.
func parseTemporalText(marker string, text []byte) (time.Time, bool) {
	if t, ok := parseISO(marker, text); ok {
		return t, true
	}
	return parseTemporal(marker, string(text))
}

// parseISO reads the common subset of what parseTemporal accepts, and gives exactly the
// time parseTemporal would give for it (FuzzParseISOMatchesLayouts holds it to that):
//
//   - __date__: "YYYY-MM-DD";
//   - __datetime__: "YYYY-MM-DD" then 'T' or ' ', then a clock as below;
//   - __time__: a clock "HH:MM:SS", optionally a fraction ('.' or ',' and digits, of
//     which the first nine count), then nothing, "Z" or "±HH:MM".
//
// It reports false for anything else, including what parseTemporal may still accept
// (a one-digit hour, no seconds, an offset with seconds or of 24 hours).
func parseISO(marker string, b []byte) (time.Time, bool) {
	year, month, day := 0, 1, 1
	switch marker {
	case keyDate:
		if len(b) != 10 {
			return time.Time{}, false
		}
		y, m, dd, ok := parseISODate(b)
		if !ok {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC), true
	case keyDatetime:
		if len(b) < 11 || (b[10] != 'T' && b[10] != ' ') {
			return time.Time{}, false
		}
		var ok bool
		if year, month, day, ok = parseISODate(b[:10]); !ok {
			return time.Time{}, false
		}
		b = b[11:]
	case keyTime:
	default:
		return time.Time{}, false
	}
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := twoDigits(b[0:2], 23)
	minute, ok2 := twoDigits(b[3:5], 59)
	sec, ok3 := twoDigits(b[6:8], 59)
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	b = b[8:]
	nsec := 0
	if len(b) >= 2 && (b[0] == '.' || b[0] == ',') && isDigit(b[1]) {
		n := 1
		for ; n < len(b) && isDigit(b[n]); n++ {
			if n <= 9 {
				nsec = nsec*10 + int(b[n]-'0')
			}
		}
		for i := n; i <= 9; i++ { // scale a short fraction to nanoseconds
			nsec *= 10
		}
		b = b[n:]
	}
	offset := 0
	switch {
	case len(b) == 0, len(b) == 1 && b[0] == 'Z':
	case len(b) == 6 && (b[0] == '+' || b[0] == '-') && b[3] == ':':
		oh, ok1 := twoDigits(b[1:3], 23)
		om, ok2 := twoDigits(b[4:6], 59)
		if !ok1 || !ok2 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset == 0 {
		return t, true
	}
	// As time.Parse does: the instant in the local zone when that zone had this offset
	// then, else in a fixed zone of the offset.
	t = t.Add(-time.Duration(offset) * time.Second)
	if _, local := t.In(time.Local).Zone(); local == offset {
		return t.In(time.Local), true
	}
	return t.In(time.FixedZone("", offset)), true
}

// parseISODate reads "YYYY-MM-DD" (10 bytes) with a valid month and day.
func parseISODate(b []byte) (year, month, day int, ok bool) {
	if b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	hi, ok1 := twoDigits(b[0:2], 99)
	lo, ok2 := twoDigits(b[2:4], 99)
	month, ok3 := twoDigits(b[5:7], 12)
	day, ok4 := twoDigits(b[8:10], 31)
	if !ok1 || !ok2 || !ok3 || !ok4 || month < 1 || day < 1 {
		return 0, 0, 0, false
	}
	year = hi*100 + lo
	if day > daysIn(month, year) {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// twoDigits reads two ASCII digits whose value is at most limit.
func twoDigits(b []byte, limit int) (int, bool) {
	if !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	v := int(b[0]-'0')*10 + int(b[1]-'0')
	return v, v <= limit
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// sentinel reads a two-entry map (header h) as a temporal sentinel if it is one,
// without building the map: {marker: true, "value": <str>} in either order, as
// reviveTemporal revives it. It reports false, with the input untouched, when the map
// is anything else; a sentinel whose text does not parse is ErrInvalidTemporal.
func (d *decoder) sentinel(h head) (time.Time, bool, error) {
	start := d.off
	var marker string
	var text []byte
	haveText := false
	for range 2 {
		key, vh, ok := d.sentinelPair()
		switch {
		case !ok:
			d.off = start
			return time.Time{}, false, nil
		case vh.k == kBool && vh.bool() && marker == "" && markerOf(key) != "":
			marker = markerOf(key)
		case vh.k == kStr && !haveText && string(key) == keyValue:
			text, _ = d.take(vh.n)
			haveText = true
		default:
			d.off = start
			return time.Time{}, false, nil
		}
	}
	if marker == "" || !haveText {
		d.off = start
		return time.Time{}, false, nil
	}
	t, ok := parseTemporalText(marker, text)
	if !ok {
		return time.Time{}, false, &DecodeError{Offset: h.at, Reason: "the text of a " + marker + " sentinel is not valid ISO 8601", Err: ErrInvalidTemporal}
	}
	return t, true, nil
}

// sentinelPair reads a str key and the header of its value.
func (d *decoder) sentinelPair() ([]byte, head, bool) {
	kh, err := d.next()
	if err != nil || kh.k != kStr {
		return nil, head{}, false
	}
	key, err := d.take(kh.n)
	if err != nil {
		return nil, head{}, false
	}
	vh, err := d.next()
	if err != nil {
		return nil, head{}, false
	}
	return key, vh, true
}
