package cachekitio

import (
	"errors"
	"strings"
	"testing"
)

// FuzzFreshFor: freshForValue never panics, returns a value in [0, 2592000], and
// returns non-zero only for 1 to 7 ASCII digits whose number it is.
func FuzzFreshFor(f *testing.F) {
	for _, s := range []string{"", "0", "1", "0000005", "2592000", "2592001", "-1", "+5", "5.0", "1e3", "0x10",
		"1_0", "1 0", "\xa05", "00000005", "4297559296", "18446744073712143616", "\xb2", "\xd9\xa1", "5, 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := freshForValue(v)
		if got < 0 || got > maxFreshForSeconds {
			t.Fatalf("freshForValue(%q) = %d, out of range", v, got)
		}
		digits := len(v) >= 1 && len(v) <= 7 && strings.Trim(v, "0123456789") == ""
		if !digits && got != 0 {
			t.Fatalf("freshForValue(%q) = %d for a value that is not 1 to 7 digits", v, got)
		}
		if digits {
			var n int64
			for i := 0; i < len(v); i++ {
				n = n*10 + int64(v[i]-'0')
			}
			if n <= maxFreshForSeconds && got != n {
				t.Fatalf("freshForValue(%q) = %d, want %d", v, got, n)
			}
		}
		secs, present := parseFreshFor([]string{v})
		if !present || secs != got {
			t.Fatalf("parseFreshFor(%q) = (%d, %v), want (%d, true)", v, secs, present, got)
		}
	})
}

// FuzzFreshness: only the exact token "fresh" is fresh.
func FuzzFreshness(f *testing.F) {
	for _, s := range []string{"fresh", "stale", "Fresh", "STALE", "", "fresh\xa0", "fresh, stale", "stale, fresh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got := parseFreshness([]string{v}); got != (v != "fresh") {
			t.Fatalf("parseFreshness(%q) = stale %v", v, got)
		}
		if !parseFreshness([]string{v, v}) {
			t.Fatalf("parseFreshness of two lines %q = fresh", v)
		}
	})
}

// FuzzValidateAPIURL: the validator never panics; whatever it accepts is https on an
// allowed host, or on a public address when custom hosts are allowed, and the
// endpoint it returns passes validation again.
func FuzzValidateAPIURL(f *testing.F) {
	for _, c := range hostileURLs {
		f.Add(c.url, true)
	}
	for _, s := range []string{"https://api.cachekit.io", "https://api.staging.cachekit.io:443/", "https://cache.example.com:8443", "https://[2001:db8::1]"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, custom bool) {
		ep, err := validateAPIURL(raw, custom, false)
		if err != nil {
			if !errors.Is(err, ErrUnsafeURL) {
				t.Fatalf("validateAPIURL(%q) error %v does not wrap ErrUnsafeURL", raw, err)
			}
			return
		}
		if ep.scheme != "https" {
			t.Fatalf("validateAPIURL(%q) accepted scheme %q", raw, ep.scheme)
		}
		if !custom && !allowedHosts[ep.name] {
			t.Fatalf("validateAPIURL(%q) accepted host %q without AllowCustomHost", raw, ep.name)
		}
		if strings.ContainsAny(ep.host, "@%#?/\\ ") {
			t.Fatalf("validateAPIURL(%q) returned host %q", raw, ep.host)
		}
		again, err := validateAPIURL("https://"+ep.host, custom, false)
		if err != nil || again != ep {
			t.Fatalf("revalidating %q (from %q) = %+v, %v", ep.host, raw, again, err)
		}
	})
}

// FuzzEscapeKey: the escaped form holds only unreserved bytes and %HH, and decodes
// back to the key.
func FuzzEscapeKey(f *testing.F) {
	for _, s := range []string{"a:b", "100%", "%2e%2e", "café", ".\t.", "a/b?c#d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		enc := escapeKey(key)
		var dec []byte
		for i := 0; i < len(enc); i++ {
			c := enc[i]
			switch {
			case unreserved(c):
				dec = append(dec, c)
			case c == '%' && i+2 < len(enc) && strings.IndexByte(upperHex, enc[i+1]) >= 0 && strings.IndexByte(upperHex, enc[i+2]) >= 0:
				dec = append(dec, byte(strings.IndexByte(upperHex, enc[i+1])<<4|strings.IndexByte(upperHex, enc[i+2])))
				i += 2
			default:
				t.Fatalf("escapeKey(%q) = %q has a raw %q", key, enc, c)
			}
		}
		if string(dec) != key {
			t.Fatalf("escapeKey(%q) = %q decodes to %q", key, enc, dec)
		}
	})
}
