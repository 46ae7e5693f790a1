package cachekitio

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOptionsNeverPrintAPIKey(t *testing.T) {
	o := Options{APIKey: testAPIKey, APIURL: "https://api.cachekit.io", Timeout: time.Second, HTTPClient: &http.Client{}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		// fmt cannot call methods through an unexported field, so a struct holding
		// Options in one is out of reach (see the Options documentation).
		for _, arg := range []any{o, &o, []Options{o}, map[string]Options{"k": o}, struct{ O Options }{o}, struct{ O *Options }{&o}} {
			got := fmt.Sprintf(verb, arg)
			if strings.Contains(got, testAPIKey) || strings.Contains(got, fmt.Sprintf("%x", testAPIKey)) {
				t.Errorf("Sprintf(%q, %T) = %q, contains the API key", verb, arg, got)
			}
		}
	}
	if got := o.String(); !strings.Contains(got, "[REDACTED]") || !strings.Contains(got, "api.cachekit.io") {
		t.Errorf("String() = %q, want the key redacted and the URL shown", got)
	}
}

func TestBackendNeverPrintsAPIKey(t *testing.T) {
	b, err := New(Options{APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, arg := range []any{b, struct{ B *Backend }{b}, []*Backend{b}} {
			if got := fmt.Sprintf(verb, arg); strings.Contains(got, testAPIKey) {
				t.Errorf("Sprintf(%q, %T) = %q, contains the API key", verb, arg, got)
			}
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		name string
		o    Options
	}{
		{"no key", Options{}},
		{"key with space", Options{APIKey: "ck_live_a b"}},
		{"key with newline", Options{APIKey: "ck_live_a\r\nX-Evil: 1"}},
		{"key with padding in the middle", Options{APIKey: "ck_live_a=b"}},
		{"key of only padding", Options{APIKey: "=="}},
		{"key too long", Options{APIKey: strings.Repeat("k", 1025)}},
		{"negative timeout", Options{APIKey: "ck_live_x", Timeout: -1}},
		{"too many retries", Options{APIKey: "ck_live_x", MaxRetries: 101}},
		{"negative pool", Options{APIKey: "ck_live_x", PoolSize: -1}},
		{"negative response size", Options{APIKey: "ck_live_x", MaxResponseSize: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := New(c.o)
			if err == nil {
				b.Close()
				t.Fatal("New succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("error %v does not wrap ErrInvalidOptions", err)
			}
			if c.o.APIKey != "" && strings.Contains(err.Error(), c.o.APIKey) {
				t.Errorf("error %q contains the API key", err)
			}
		})
	}
	for _, key := range []string{"ck_live_abc", "ck_sdk_A-b.c_d~e+f/g==", "x"} {
		b, err := New(Options{APIKey: key})
		if err != nil {
			t.Errorf("New(APIKey %q): %v", key, err)
			continue
		}
		b.Close()
	}
}

func TestInsecureLoopbackWarns(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	b, err := New(Options{APIKey: testAPIKey, APIURL: "http://127.0.0.1:8787", AllowInsecureLoopback: true, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "AllowInsecureLoopback") {
		t.Errorf("log = %q, want a warning about AllowInsecureLoopback", buf.String())
	}
	if strings.Contains(buf.String(), testAPIKey) {
		t.Errorf("log %q contains the API key", buf.String())
	}
	buf.Reset()
	b2, err := New(Options{APIKey: testAPIKey, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if buf.Len() != 0 {
		t.Errorf("log = %q without AllowInsecureLoopback, want nothing", buf.String())
	}
}

func TestFromEnv(t *testing.T) {
	vars := []string{EnvAPIKey, EnvAPIURL, EnvAllowCustomHost, EnvTimeout, EnvMaxRetries, EnvPoolSize}
	cases := []struct {
		name    string
		env     map[string]string
		want    Options
		wantErr string // the variable the error must name; "" for success
	}{
		{"key only", map[string]string{EnvAPIKey: testAPIKey}, Options{APIKey: testAPIKey}, ""},
		{"everything", map[string]string{
			EnvAPIKey: testAPIKey, EnvAPIURL: "https://cache.example.com", EnvAllowCustomHost: "true",
			EnvTimeout: "2.5", EnvMaxRetries: "5", EnvPoolSize: "32",
		}, Options{APIKey: testAPIKey, APIURL: "https://cache.example.com", AllowCustomHost: true, Timeout: 2500 * time.Millisecond, MaxRetries: 5, PoolSize: 32}, ""},
		{"zero retries turns them off", map[string]string{EnvAPIKey: testAPIKey, EnvMaxRetries: "0"}, Options{APIKey: testAPIKey, MaxRetries: -1}, ""},
		{"allow false", map[string]string{EnvAPIKey: testAPIKey, EnvAllowCustomHost: "FALSE"}, Options{APIKey: testAPIKey}, ""},
		{"sub-millisecond timeout rounds up", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "0.0000001"}, Options{APIKey: testAPIKey, Timeout: 100 * time.Nanosecond}, ""},
		{"missing key", map[string]string{}, Options{}, EnvAPIKey},
		{"blank key", map[string]string{EnvAPIKey: "   "}, Options{}, EnvAPIKey},
		{"bad key", map[string]string{EnvAPIKey: "ck_live_secret value"}, Options{}, EnvAPIKey},
		{"bad bool", map[string]string{EnvAPIKey: testAPIKey, EnvAllowCustomHost: "yes please"}, Options{}, EnvAllowCustomHost},
		{"timeout zero", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "0"}, Options{}, EnvTimeout},
		{"timeout negative", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "-1"}, Options{}, EnvTimeout},
		{"timeout NaN", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "NaN"}, Options{}, EnvTimeout},
		{"timeout Inf", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "+Inf"}, Options{}, EnvTimeout},
		{"timeout huge", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "1e300"}, Options{}, EnvTimeout},
		{"timeout words", map[string]string{EnvAPIKey: testAPIKey, EnvTimeout: "five"}, Options{}, EnvTimeout},
		{"retries negative", map[string]string{EnvAPIKey: testAPIKey, EnvMaxRetries: "-1"}, Options{}, EnvMaxRetries},
		{"retries huge", map[string]string{EnvAPIKey: testAPIKey, EnvMaxRetries: "1000"}, Options{}, EnvMaxRetries},
		{"retries float", map[string]string{EnvAPIKey: testAPIKey, EnvMaxRetries: "2.5"}, Options{}, EnvMaxRetries},
		{"pool zero", map[string]string{EnvAPIKey: testAPIKey, EnvPoolSize: "0"}, Options{}, EnvPoolSize},
		{"pool huge", map[string]string{EnvAPIKey: testAPIKey, EnvPoolSize: "1000000"}, Options{}, EnvPoolSize},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, c.env[v])
			}
			got, err := FromEnv()
			if c.wantErr != "" {
				if err == nil {
					t.Fatalf("FromEnv() = %v, want an error naming %s", got, c.wantErr)
				}
				if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %q: want one wrapping ErrInvalidOptions and naming %s", err, c.wantErr)
				}
				if k := c.env[EnvAPIKey]; strings.TrimSpace(k) != "" && strings.Contains(err.Error(), k) {
					t.Errorf("error %q contains the API key", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			if got != c.want {
				t.Errorf("FromEnv() = %v, want %v", got, c.want)
			}
		})
	}
}
