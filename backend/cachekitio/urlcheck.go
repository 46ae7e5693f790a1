package cachekitio

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Hosts the client talks to without Options.AllowCustomHost.
var allowedHosts = map[string]bool{
	"api.cachekit.io":         true,
	"api.staging.cachekit.io": true,
}

// maxURLLen bounds Options.APIURL.
const maxURLLen = 2048

// apiEndpoint is a validated Options.APIURL.
type apiEndpoint struct {
	scheme string // "https", or "http" for an allowed loopback server
	host   string // lower-case host, IPv6 in brackets, with ":port" when one was given
	name   string // host name or address without brackets and port
}

// validateAPIURL applies the SSRF rules of the API spec, and some stricter ones, to raw.
//
// The URL must be "https://" then a host, an optional port and an optional "/", nothing
// else: no user info, path, query or fragment. The host is a DNS name of lower- or
// upper-case letters, digits and hyphens (never a trailing dot, percent-encoding or
// non-ASCII), a dotted-quad IPv4 address in canonical form, or a bracketed IPv6 address
// without a zone. Numeric spellings that some parser could read as an IPv4 address
// (2130706433, 0x7f.1, 0177.0.0.1, 127.1) are refused rather than interpreted. Addresses
// in private, loopback, link-local, shared, multicast and reserved ranges are refused,
// including IPv6 forms that embed such an IPv4 address (IPv4-mapped, IPv4-compatible,
// NAT64, 6to4, Teredo). Only api.cachekit.io and api.staging.cachekit.io are allowed
// unless allowCustom; a port is allowed only for custom or loopback hosts (or 443).
// With allowLoopback, http and https URLs naming 127.0.0.0/8, ::1 or localhost are
// allowed as well.
func validateAPIURL(raw string, allowCustom, allowLoopback bool) (apiEndpoint, error) {
	fail := func(why string) (apiEndpoint, error) {
		return apiEndpoint{}, fmt.Errorf("%w: %s", ErrUnsafeURL, why)
	}
	if len(raw) > maxURLLen {
		return fail("it is longer than 2048 bytes")
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return fail("it contains a space, a control character, a backslash or a non-ASCII byte")
		}
	}
	var scheme, rest string
	switch {
	case hasPrefixFold(raw, "https://"):
		scheme, rest = "https", raw[len("https://"):]
	case hasPrefixFold(raw, "http://"):
		scheme, rest = "http", raw[len("http://"):]
	default:
		return fail("it must start with https://")
	}
	end := strings.IndexAny(rest, "/?#")
	authority, tail := rest, ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	if tail != "" && tail != "/" {
		return fail("it must not have a path, query or fragment (give only https://host)")
	}
	if strings.Contains(authority, "@") {
		return fail("it must not contain user information")
	}
	if strings.Contains(authority, "%") {
		return fail("its host must not be percent-encoded")
	}
	host, port, ok := splitAuthority(authority)
	if !ok {
		return fail("its host or port is malformed")
	}
	if host == "" {
		return fail("it has no host")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || len(port) > 5 || port[0] < '1' || port[0] > '9' || n > 65535 {
			return fail("its port is not a number in 1..65535")
		}
	}

	var addr netip.Addr
	isIP := false
	if strings.HasPrefix(authority, "[") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return fail("its bracketed host is not an IPv6 address")
		}
		addr, isIP = a, true
	} else {
		host = strings.ToLower(host)
		if !validHostName(host) {
			return fail("its host is not a valid DNS name (letters, digits, hyphens and inner dots only)")
		}
		if endsInNumber(host) {
			a, err := netip.ParseAddr(host)
			if err != nil || !a.Is4() {
				return fail("its host is a numeric address in an unusual spelling; write a dotted-quad IPv4 address")
			}
			addr, isIP = a, true
		}
	}

	loopback := false
	switch {
	case isIP:
		// Only the plain spellings count as loopback; ::ffff:127.0.0.1 and friends stay
		// refused below like every other embedded private address.
		loopback = (addr.Is4() && addr.IsLoopback()) || addr == netip.IPv6Loopback()
		if !(loopback && allowLoopback) {
			if why := blockedAddr(addr); why != "" {
				return fail("its host is " + why)
			}
			if !allowCustom {
				return fail("its host is an IP address; only api.cachekit.io and api.staging.cachekit.io are allowed without AllowCustomHost")
			}
		}
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		loopback = true
		if !allowLoopback {
			return fail("its host is localhost")
		}
	default:
		if !allowedHosts[host] && !allowCustom {
			return fail("its host " + strconv.Quote(host) + " is not api.cachekit.io or api.staging.cachekit.io, and AllowCustomHost is false")
		}
		if port != "" && port != "443" && !allowCustom {
			return fail("a port other than 443 needs AllowCustomHost")
		}
	}
	if scheme == "http" && !(loopback && allowLoopback) {
		return fail("it must use https (plain http is allowed only for a loopback server with AllowInsecureLoopback)")
	}

	hostPort := host
	if isIP {
		host = addr.String() // canonical form, so equal addresses give equal endpoints
		hostPort = host
		if addr.Is6() {
			hostPort = "[" + host + "]"
		}
	}
	if port != "" {
		hostPort += ":" + port
	}
	return apiEndpoint{scheme: scheme, host: hostPort, name: host}, nil
}

// splitAuthority splits "host", "host:port", "[v6]" or "[v6]:port". ok is false for
// anything else, such as two colons outside brackets or an empty port.
func splitAuthority(a string) (host, port string, ok bool) {
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", false
		}
		host, rest := a[1:end], a[end+1:]
		switch {
		case rest == "":
			return host, "", true
		case strings.HasPrefix(rest, ":") && len(rest) > 1:
			return host, rest[1:], true
		}
		return "", "", false
	}
	if strings.ContainsAny(a, "[]") {
		return "", "", false
	}
	switch strings.Count(a, ":") {
	case 0:
		return a, "", true
	case 1:
		host, port, _ := strings.Cut(a, ":")
		return host, port, port != ""
	}
	return "", "", false
}

// validHostName reports whether h is dot-separated labels of [a-z0-9-], each 1..63
// bytes, not starting or ending with '-', at most 253 bytes in all. A trailing dot, an
// empty label and underscores are refused.
func validHostName(h string) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// endsInNumber reports whether the WHATWG URL parser would read h as an IPv4 address:
// its last label is all decimal digits, or "0x" followed by hex digits. Such a host is
// accepted only in canonical dotted-quad form.
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if strings.HasPrefix(last, "0x") {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Address ranges the client never connects to.
var (
	blockedV4 = []struct {
		prefix netip.Prefix
		why    string
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"},
		{netip.MustParsePrefix("10.0.0.0/8"), "a private address (10.0.0.0/8)"},
		{netip.MustParsePrefix("100.64.0.0/10"), "a shared address (100.64.0.0/10)"},
		{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address (127.0.0.0/8)"},
		{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (169.254.0.0/16)"},
		{netip.MustParsePrefix("172.16.0.0/12"), "a private address (172.16.0.0/12)"},
		{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address (192.0.0.0/24)"},
		{netip.MustParsePrefix("192.168.0.0/16"), "a private address (192.168.0.0/16)"},
		{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"},
		{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address (224.0.0.0/4)"},
		{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address (240.0.0.0/4)"},
	}
	blockedV6 = []struct {
		prefix netip.Prefix
		why    string
	}{
		{netip.MustParsePrefix("::/128"), "the unspecified address (::)"},
		{netip.MustParsePrefix("::1/128"), "the loopback address (::1)"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address (64:ff9b:1::/48)"},
		{netip.MustParsePrefix("100::/64"), "a discard-only address (100::/64)"},
		{netip.MustParsePrefix("fc00::/7"), "a unique local address (fc00::/7)"},
		{netip.MustParsePrefix("fe80::/10"), "a link-local address (fe80::/10)"},
		{netip.MustParsePrefix("fec0::/10"), "a site-local address (fec0::/10)"},
		{netip.MustParsePrefix("ff00::/8"), "a multicast address (ff00::/8)"},
	}
	// IPv6 ranges that carry an IPv4 address in their last 32 bits.
	embedsV4Last32 = []netip.Prefix{
		netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
		netip.MustParsePrefix("::ffff:0:0/96"),   // IPv4-mapped
		netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
		netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 well-known prefix
	}
	sixToFour = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
)

// blockedAddr returns why addr is refused, or "" when it is a public address.
func blockedAddr(addr netip.Addr) string {
	if addr.Is4() {
		for _, b := range blockedV4 {
			if b.prefix.Contains(addr) {
				return b.why
			}
		}
		return ""
	}
	addr = addr.WithZone("")
	for _, b := range blockedV6 {
		if b.prefix.Contains(addr) {
			return b.why
		}
	}
	a := addr.As16()
	for _, p := range embedsV4Last32 {
		if p.Contains(addr) {
			if why := blockedAddr(netip.AddrFrom4([4]byte(a[12:16]))); why != "" {
				return "an IPv6 form of " + why
			}
		}
	}
	if sixToFour.Contains(addr) {
		if why := blockedAddr(netip.AddrFrom4([4]byte(a[2:6]))); why != "" {
			return "a 6to4 form of " + why
		}
	}
	if teredo.Contains(addr) {
		server := netip.AddrFrom4([4]byte(a[4:8]))
		client := netip.AddrFrom4([4]byte{^a[12], ^a[13], ^a[14], ^a[15]})
		for _, v4 := range []netip.Addr{server, client} {
			if why := blockedAddr(v4); why != "" {
				return "a Teredo form of " + why
			}
		}
	}
	return ""
}
