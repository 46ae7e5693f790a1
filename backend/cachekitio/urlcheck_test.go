package cachekitio

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// hostileURLs must all be refused, whatever AllowCustomHost says (AllowInsecureLoopback
// stays off).
var hostileURLs = []struct{ name, url string }{
	{"plain http", "http://api.cachekit.io"},
	{"ftp", "ftp://api.cachekit.io"},
	{"no scheme", "api.cachekit.io"},
	{"scheme-relative", "//api.cachekit.io"},
	{"javascript", "javascript:alert(1)"},
	{"file", "file:///etc/passwd"},
	{"opaque https", "https:api.cachekit.io"},
	{"empty host", "https://"},
	{"empty host with port", "https://:443"},
	{"userinfo", "https://user:pass@api.cachekit.io"},
	{"userinfo trick", "https://api.cachekit.io@evil.example"},
	{"encoded at sign", "https://api.cachekit.io%40evil.example"},
	{"percent-encoded host", "https://%61pi.cachekit.io"},
	{"percent-encoded dot", "https://api%2ecachekit.io"},
	{"fragment", "https://api.cachekit.io#frag"},
	{"empty fragment", "https://api.cachekit.io/#"},
	{"query", "https://api.cachekit.io?x=1"},
	{"empty query", "https://api.cachekit.io/?"},
	{"path", "https://api.cachekit.io/v1"},
	{"path traversal", "https://api.cachekit.io/../"},
	{"double slash path", "https://api.cachekit.io//"},
	{"backslash", `https://api.cachekit.io\@evil.example`},
	{"space", "https://api.cachekit.io /"},
	{"tab in host", "https://api.cache\tkit.io"},
	{"newline", "https://api.cachekit.io\n"},
	{"NUL", "https://api.cachekit.io\x00.evil.example"},
	{"non-ASCII host", "https://api.cachekit.ıo"},
	{"fullwidth dot", "https://api。cachekit.io"},
	{"trailing dot", "https://api.cachekit.io."},
	{"leading dot", "https://.api.cachekit.io"},
	{"empty label", "https://api..cachekit.io"},
	{"underscore", "https://api_cachekit.io"},
	{"label starting with hyphen", "https://-api.cachekit.io"},
	{"label too long", "https://" + strings.Repeat("a", 64) + ".cachekit.io"},
	{"bad port", "https://api.cachekit.io:99999"},
	{"port zero", "https://api.cachekit.io:0"},
	{"port with leading zero", "https://api.cachekit.io:0443"},
	{"empty port", "https://api.cachekit.io:"},
	{"port with sign", "https://api.cachekit.io:+443"},
	{"two colons", "https://api.cachekit.io:443:443"},
	{"localhost", "https://localhost"},
	{"localhost subdomain", "https://api.localhost"},
	{"loopback", "https://127.0.0.1"},
	{"loopback high", "https://127.255.255.254"},
	{"this network", "https://0.0.0.0"},
	{"private 10", "https://10.0.0.1"},
	{"private 172.16", "https://172.16.0.1"},
	{"private 172.31", "https://172.31.255.255"},
	{"private 192.168", "https://192.168.1.1"},
	{"link-local metadata", "https://169.254.169.254"},
	{"shared 100.64", "https://100.64.0.1"},
	{"benchmark 198.18", "https://198.18.0.1"},
	{"multicast", "https://224.0.0.1"},
	{"broadcast", "https://255.255.255.255"},
	{"decimal IPv4", "https://2130706433"},
	{"hex IPv4", "https://0x7f000001"},
	{"hex dotted", "https://0x7f.1"},
	{"octal dotted", "https://0177.0.0.1"},
	{"short dotted", "https://127.1"},
	{"three parts", "https://127.0.1"},
	{"leading zero", "https://010.0.0.1"},
	{"decimal public", "https://3627734017"},
	{"hex last label", "https://api.cachekit.0x10"},
	{"numeric last label", "https://api.cachekit.123"},
	{"IPv4 with trailing dot", "https://127.0.0.1."},
	{"unspecified v6", "https://[::]"},
	{"loopback v6", "https://[::1]"},
	{"loopback v6 long", "https://[0:0:0:0:0:0:0:1]"},
	{"link-local v6", "https://[fe80::1]"},
	{"link-local v6 zone", "https://[fe80::1%25eth0]"},
	{"ULA fc", "https://[fc00::1]"},
	{"ULA fd", "https://[fd12:3456::1]"},
	{"site-local", "https://[fec0::1]"},
	{"multicast v6", "https://[ff02::1]"},
	{"mapped loopback", "https://[::ffff:127.0.0.1]"},
	{"mapped loopback hex", "https://[::ffff:7f00:1]"},
	{"mapped private", "https://[::ffff:10.0.0.1]"},
	{"mapped metadata", "https://[::ffff:169.254.169.254]"},
	{"compatible loopback", "https://[::127.0.0.1]"},
	{"translated private", "https://[::ffff:0:192.168.0.1]"},
	{"NAT64 private", "https://[64:ff9b::10.0.0.1]"},
	{"NAT64 local use", "https://[64:ff9b:1::1]"},
	{"6to4 private", "https://[2002:c0a8:0101::1]"},
	{"6to4 loopback", "https://[2002:7f00:0001::1]"},
	{"Teredo private client", "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]"},
	{"discard-only", "https://[100::1]"},
	{"v4 in brackets", "https://[127.0.0.1]"},
	{"unclosed bracket", "https://[::1"},
	{"garbage after bracket", "https://[2001:db8::1]x"},
	{"brackets in name", "https://api[1].cachekit.io"},
	{"too long", "https://api.cachekit.io/" + strings.Repeat("a", 2100)},
}

func TestValidateAPIURLRefusesHostileURLs(t *testing.T) {
	if len(hostileURLs) < 40 {
		t.Fatalf("only %d hostile URLs; the table must hold at least 40", len(hostileURLs))
	}
	for _, c := range hostileURLs {
		t.Run(c.name, func(t *testing.T) {
			for _, custom := range []bool{false, true} {
				_, err := validateAPIURL(c.url, custom, false)
				if !errors.Is(err, ErrUnsafeURL) {
					t.Errorf("validateAPIURL(%q, custom %v) error = %v, want ErrUnsafeURL", c.url, custom, err)
				}
			}
			b, err := New(Options{APIKey: testAPIKey, APIURL: c.url, AllowCustomHost: true})
			if err == nil {
				b.Close()
				t.Errorf("New accepted %q", c.url)
			}
		})
	}
}

func TestValidateAPIURL(t *testing.T) {
	cases := []struct {
		name                 string
		url                  string
		custom, loopback, ok bool
		wantScheme, wantHost string
	}{
		{"production", "https://api.cachekit.io", false, false, true, "https", "api.cachekit.io"},
		{"production slash", "https://api.cachekit.io/", false, false, true, "https", "api.cachekit.io"},
		{"staging", "https://api.staging.cachekit.io", false, false, true, "https", "api.staging.cachekit.io"},
		{"upper case", "HTTPS://API.CacheKit.IO", false, false, true, "https", "api.cachekit.io"},
		{"port 443", "https://api.cachekit.io:443", false, false, true, "https", "api.cachekit.io:443"},
		{"other port needs custom", "https://api.cachekit.io:8443", false, false, false, "", ""},
		{"other port with custom", "https://api.cachekit.io:8443", true, false, true, "https", "api.cachekit.io:8443"},
		{"subdomain is not allowed", "https://evil.api.cachekit.io", false, false, false, "", ""},
		{"look-alike", "https://api.cachekit.io.evil.example", false, false, false, "", ""},
		{"custom host refused", "https://cache.example.com", false, false, false, "", ""},
		{"custom host allowed", "https://cache.example.com", true, false, true, "https", "cache.example.com"},
		{"punycode custom", "https://xn--caf-dma.example", true, false, true, "https", "xn--caf-dma.example"},
		{"public IPv4 needs custom", "https://203.0.113.10", false, false, false, "", ""},
		{"public IPv4 custom", "https://203.0.113.10", true, false, true, "https", "203.0.113.10"},
		{"public IPv6 custom", "https://[2001:db8::1]:8443", true, false, true, "https", "[2001:db8::1]:8443"},
		{"mapped public custom", "https://[::ffff:203.0.113.10]", true, false, true, "https", "[::ffff:203.0.113.10]"},
		{"loopback http", "http://127.0.0.1:8787", false, true, true, "http", "127.0.0.1:8787"},
		{"loopback https", "https://127.0.0.1:8787", false, true, true, "https", "127.0.0.1:8787"},
		{"loopback 127.x", "http://127.1.2.3:1", false, true, true, "http", "127.1.2.3:1"},
		{"loopback v6", "http://[::1]:8787", false, true, true, "http", "[::1]:8787"},
		{"localhost", "http://localhost:8787", false, true, true, "http", "localhost:8787"},
		{"loopback mode still refuses private", "http://10.0.0.1", false, true, false, "", ""},
		{"loopback mode still refuses mapped", "http://[::ffff:127.0.0.1]", false, true, false, "", ""},
		{"loopback mode still refuses http elsewhere", "http://api.cachekit.io", false, true, false, "", ""},
		{"loopback mode still refuses short form", "http://127.1", false, true, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ep, err := validateAPIURL(c.url, c.custom, c.loopback)
			if !c.ok {
				if !errors.Is(err, ErrUnsafeURL) {
					t.Fatalf("validateAPIURL(%q) = %+v, %v; want ErrUnsafeURL", c.url, ep, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("validateAPIURL(%q): %v", c.url, err)
			}
			if ep.scheme != c.wantScheme || ep.host != c.wantHost {
				t.Errorf("validateAPIURL(%q) = %s://%s, want %s://%s", c.url, ep.scheme, ep.host, c.wantScheme, c.wantHost)
			}
		})
	}
}

// TestBlockedAddrEmbeddedForms checks the IPv6 embeddings against the IPv4 rules: the
// same IPv4 address must be refused or accepted in every form.
func TestBlockedAddrEmbeddedForms(t *testing.T) {
	forms := func(v4 netip.Addr) []netip.Addr {
		a := v4.As4()
		mapped := netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]})
		nat64 := netip.AddrFrom16([16]byte{0: 0x00, 1: 0x64, 2: 0xff, 3: 0x9b, 12: a[0], 13: a[1], 14: a[2], 15: a[3]})
		sixto4 := netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: a[0], 3: a[1], 4: a[2], 5: a[3], 15: 1})
		teredo := netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 4: 203, 5: 0, 6: 113, 7: 1, 12: ^a[0], 13: ^a[1], 14: ^a[2], 15: ^a[3]})
		return []netip.Addr{mapped, nat64, sixto4, teredo}
	}
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.0.1", "169.254.169.254", "100.100.0.1", "0.1.2.3"} {
		v4 := netip.MustParseAddr(s)
		if blockedAddr(v4) == "" {
			t.Errorf("blockedAddr(%s) = allowed", v4)
		}
		for _, f := range forms(v4) {
			if blockedAddr(f) == "" {
				t.Errorf("blockedAddr(%s), a form of %s, = allowed", f, v4)
			}
		}
	}
	for _, s := range []string{"203.0.113.10", "8.8.8.8", "1.1.1.1"} {
		v4 := netip.MustParseAddr(s)
		for _, a := range append(forms(v4), v4) {
			if why := blockedAddr(a); why != "" {
				t.Errorf("blockedAddr(%s) = %q, want allowed", a, why)
			}
		}
	}
}

// TestDialRefusesPrivateResolution: a custom host name that resolves to a private
// address passes the URL check but is refused when the connection is made, and the
// server behind it never sees a request.
func TestDialRefusesPrivateResolution(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(rec.Listener.Addr().String())
	lookup := func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.7")}, nil
	}
	b, err := newBackend(Options{APIKey: testAPIKey, APIURL: "https://rebind.example:" + port, AllowCustomHost: true, MaxRetries: -1}, lookup)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, _, err = b.Get(t.Context(), "k")
	if !errors.Is(err, ErrUnsafeURL) {
		t.Errorf("Get through a name resolving to loopback: error = %v, want ErrUnsafeURL", err)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("the server saw %d requests, want 0", n)
	}
}

// TestValidateAPIURLCanonicalIPv6Name is the regression test for a fuzz finding: two
// spellings of one IPv6 address gave endpoints with different names.
func TestValidateAPIURLCanonicalIPv6Name(t *testing.T) {
	a, errA := validateAPIURL("https://[0::0100:0]", true, false)
	b, errB := validateAPIURL("https://[::100:0]", true, false)
	if errA != nil || errB != nil || a != b {
		t.Errorf("endpoints %+v (%v) and %+v (%v), want equal", a, errA, b, errB)
	}
}
