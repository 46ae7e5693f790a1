package codec

import (
	"testing"
	"time"
)

// sameParse reports whether two parse results are the same time in the same zone:
// the same instant, zone name and offset, and both or neither in time.Local.
func sameParse(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo && (a.Location() == time.Local) == (b.Location() == time.Local) &&
		a.Location().String() == b.Location().String()
}

// FuzzParseISOMatchesLayouts holds parseISO to its promise: whatever text it accepts,
// parseTemporal (time.Parse over the accepted layouts) accepts too, with the same result.
func FuzzParseISOMatchesLayouts(f *testing.F) {
	for _, seed := range []string{
		"2024-01-01T12:30:45.123456+00:00", "2024-01-01T12:30:45+00:00", "2024-01-01T12:30:45Z",
		"2024-01-01T12:30:45.123Z", "2024-02-29 23:59:59", "2023-02-29T00:00:00", "2024-01-01T12:30:45-05:30",
		"2024-01-01T12:30:45,5+14:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59.9999999999+23:59",
		"2024-01-01T24:00:00", "2024-01-01T12:30", "2024-1-01T12:30:45", "2024-01-01T12:30:45+01:00:30",
		"2024-01-01", "10:30:00", "10:30:00.5", "10:30:00+02:00", "10:30", "1:30:00",
	} {
		for _, marker := range []string{keyDatetime, keyDate, keyTime} {
			f.Add(marker, seed)
		}
	}
	f.Fuzz(func(t *testing.T, marker, text string) {
		got, ok := parseISO(marker, []byte(text))
		if !ok {
			return
		}
		want, wantOK := parseTemporal(marker, text)
		if !wantOK {
			t.Fatalf("parseISO(%s, %q) = %v, but the layouts refuse it", marker, text, got)
		}
		if !sameParse(got, want) {
			t.Fatalf("parseISO(%s, %q) = %v, layouts give %v", marker, text, got, want)
		}
	})
}

// TestParseISOLocalZone: an offset that the local zone has is read into time.Local, as
// time.Parse does, and another offset into a fixed zone.
func TestParseISOLocalZone(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	time.Local = time.FixedZone("CET", 3600)
	for _, text := range []string{"2024-06-01T12:00:00+01:00", "2024-06-01T12:00:00+02:00", "2024-06-01T12:00:00-01:00"} {
		got, ok := parseISO(keyDatetime, []byte(text))
		want, wantOK := parseTemporal(keyDatetime, text)
		if !ok || !wantOK || !sameParse(got, want) {
			t.Errorf("%s: parseISO = %v, %v; layouts = %v, %v", text, got, ok, want, wantOK)
		}
	}
}

// TestParseISOCoversWriters: the texts the SDKs write take the fast path.
func TestParseISOCoversWriters(t *testing.T) {
	tests := []struct{ marker, text string }{
		{keyDatetime, "2024-01-01T12:30:45.123456+00:00"}, // Python isoformat(), Go Marshal
		{keyDatetime, "2024-01-01T12:30:45+00:00"},
		{keyDatetime, "2024-01-01T12:30:45.123Z"}, // JavaScript toISOString()
		{keyDatetime, "2024-01-01T12:30:45"},      // Python naive datetime
		{keyDate, "2024-01-01"},
		{keyTime, "10:30:00"},
		{keyTime, "10:30:00.123456"},
	}
	for _, tt := range tests {
		got, ok := parseISO(tt.marker, []byte(tt.text))
		want, wantOK := parseTemporal(tt.marker, tt.text)
		if !ok || !wantOK || !sameParse(got, want) {
			t.Errorf("%s %q: parseISO = %v, %v; layouts = %v, %v", tt.marker, tt.text, got, ok, want, wantOK)
		}
	}
}
