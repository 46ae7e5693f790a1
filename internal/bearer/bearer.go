// Package bearer checks API keys against the form a bearer credential takes in an HTTP
// Authorization header, for the cachekit.io client and the dev server alike.
package bearer

// MaxLen is the longest API key accepted, in bytes.
const MaxLen = 1024

// Valid reports whether s is an RFC 6750 b64token of at most MaxLen bytes: one or more
// of A-Z a-z 0-9 - . _ ~ + /, then any number of '='. The restricted alphabet also means a
// key reads the same in JSON, URLs and headers, so scrubbing it from error text cannot
// miss an escaped copy.
func Valid(s string) bool {
	if len(s) == 0 || len(s) > MaxLen {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
