package devserver

import (
	"net/http"
	"net/url"
	"strings"
)

// resource is what a request path addresses under /v1/cache/.
type resource uint8

const (
	resEntry resource = iota
	resTTL
	resLock
	resHealth
)

// allowed lists each resource's methods, as the 405 answer's Allow header says them.
var allowed = map[resource]string{
	resEntry:  "GET, HEAD, PUT, DELETE",
	resTTL:    "GET, PATCH",
	resLock:   "POST, DELETE",
	resHealth: "GET",
}

func methodAllowed(res resource, method string) bool {
	for m := range strings.SplitSeq(allowed[res], ", ") {
		if m == method {
			return true
		}
	}
	return false
}

// routeError is a request the router refuses, with its status and message.
type routeError struct {
	status int
	msg    string
}

// route splits the raw request path on "/" before any decoding, as the hosted service
// does, and percent-decodes the key segment exactly once.
func route(r *http.Request) (res resource, key string, rerr *routeError) {
	raw := r.RequestURI
	if raw == "" || !strings.HasPrefix(raw, "/") {
		raw = r.URL.EscapedPath()
	}
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		raw = raw[:i]
	}
	const prefix = "/v1/cache/"
	if !strings.HasPrefix(raw, prefix) {
		return 0, "", &routeError{http.StatusNotFound, "no such route; the API lives under /v1/cache/"}
	}
	segs := strings.Split(raw[len(prefix):], "/")
	for _, s := range segs {
		if isDotSegment(s) {
			return 0, "", &routeError{http.StatusBadRequest, "dot segments are not allowed in the path"}
		}
	}
	var rawKey string
	switch len(segs) {
	case 1:
		switch segs[0] {
		case "health":
			return resHealth, "", nil
		case "":
			return 0, "", &routeError{http.StatusNotFound, "no operation is served at /v1/cache/"}
		case "ttl", "lock":
			return 0, "", &routeError{http.StatusBadRequest, "the key is empty"}
		}
		res, rawKey = resEntry, segs[0]
	case 2:
		switch segs[1] {
		case "ttl":
			res = resTTL
		case "lock":
			res = resLock
		default:
			return 0, "", &routeError{http.StatusNotFound, "no such route"}
		}
		rawKey = segs[0]
	default:
		return 0, "", &routeError{http.StatusNotFound, "no such route"}
	}
	if rawKey == "" {
		return 0, "", &routeError{http.StatusBadRequest, "the key is empty"}
	}
	k, err := url.PathUnescape(rawKey)
	if err != nil {
		return 0, "", &routeError{http.StatusBadRequest, "the key has a malformed percent-escape"}
	}
	return res, k, nil
}

// isDotSegment reports whether a raw segment is one the WHATWG URL parser treats as
// "." or "..", including the percent-encoded spellings.
func isDotSegment(s string) bool {
	switch strings.ToLower(s) {
	case ".", "..", "%2e", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// checkKey applies the key rules (see Options.LenientKeys) and returns why key is
// refused, or "".
func (s *Server) checkKey(key string) string {
	switch key {
	case "", ".", "..", "health", "ttl", "lock":
		return "the key is empty or a reserved path segment"
	}
	if s.opts.LenientKeys {
		if len(key) > MaxLenientKeyLen {
			return "the key is longer than 4096 bytes"
		}
		return ""
	}
	if len(key) > MaxStrictKeyLen {
		return "the key is longer than 400 characters"
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return "the key has a character outside [A-Za-z0-9_.:-]"
		}
	}
	if strings.Contains(key, "..") {
		return "the key contains \"..\""
	}
	for _, p := range []string{"ns:", "nsapi:"} {
		rest, ok := strings.CutPrefix(key, p)
		if !ok {
			continue
		}
		ns, tail, found := strings.Cut(rest, ":")
		if !found || tail == "" || len(ns) == 0 || len(ns) > 64 {
			return "a key starting " + p + " must be " + p + "{namespace}:{rest} with a 1-64 character namespace"
		}
		for i := 0; i < len(ns); i++ {
			c := ns[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return "the namespace has a character outside [A-Za-z0-9_-]"
			}
		}
	}
	return ""
}

// mayWrite reports whether a key of class c may change key: ns: keys belong to SDK
// keys, nsapi: keys to direct-API keys, and legacy keys may change both.
func mayWrite(c keyClass, key string) bool {
	switch {
	case c == classLive:
		return true
	case strings.HasPrefix(key, "ns:"):
		return c == classSDK
	case strings.HasPrefix(key, "nsapi:"):
		return c == classAPI
	}
	return true
}
