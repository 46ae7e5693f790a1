package redis

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Options
		tls  bool
	}{
		{"redis://localhost", Options{Addrs: []string{"localhost:6379"}}, false},
		{"redis://h:7000/3", Options{Addrs: []string{"h:7000"}, DB: 3}, false},
		{"redis://user:pw@h:1?db=2", Options{Addrs: []string{"h:1"}, Username: "user", Password: "pw", DB: 2}, false},
		{"redis://:pw@h", Options{Addrs: []string{"h:6379"}, Password: "pw"}, false},
		{"rediss://h:6380", Options{Addrs: []string{"h:6380"}}, true},
		{"redis://a:1?addr=b:2&addr=c", Options{Addrs: []string{"a:1", "b:2", "c:6379"}}, false},
		{"redis://s1:26379?master_set=mymaster&addr=s2:26379", Options{Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "mymaster"}, false},
		{"redis://h?dial_timeout=2s&read_timeout=150ms&write_timeout=1m", Options{Addrs: []string{"h:6379"}, DialTimeout: 2 * time.Second, ReadTimeout: 150 * time.Millisecond, WriteTimeout: time.Minute}, false},
		{"redis://[::1]:7000", Options{Addrs: []string{"[::1]:7000"}}, false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if (got.TLS != nil) != tc.tls {
				t.Fatalf("TLS = %v; want %v", got.TLS != nil, tc.tls)
			}
			got.TLS = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseURL = %v; want %v", got, tc.want)
			}
			if got.Password != tc.want.Password {
				t.Fatal("password differs")
			}
		})
	}
	t.Run("rediss sets server name and skip_verify", func(t *testing.T) {
		o, err := ParseURL("rediss://cache.example.com?skip_verify=true")
		if err != nil || o.TLS.ServerName != "cache.example.com" || !o.TLS.InsecureSkipVerify {
			t.Fatalf("ParseURL = %v, %v", o, err)
		}
	})
}

func TestParseURLErrorsHideThePassword(t *testing.T) {
	const secret = "hunter2-secret"
	for _, raw := range []string{
		"http://u:" + secret + "@h",
		"redis://u:" + secret + "@h/notanumber",
		"redis://u:" + secret + "@h:port",
		"redis://u:" + secret + "@h?db=-1",
		"redis://u:" + secret + "@h?dial_timeout=soon",
		"redis://u:" + secret + "@h?skip_verify=true",
		"redis://u:" + secret + "@h\x7f",
		"redis://u:" + secret + "@:6379",
	} {
		t.Run(strings.ReplaceAll(raw, secret, "***"), func(t *testing.T) {
			_, err := ParseURL(raw)
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("ParseURL: %v; want ErrInvalidOptions", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error leaks the password: %v", err)
			}
			_, err = New(Options{URL: raw})
			if err == nil || strings.Contains(err.Error(), secret) {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"nothing", Options{}},
		{"URL and Addrs", Options{URL: "redis://h", Addrs: []string{"h:1"}}},
		{"address without port", Options{Addrs: []string{"localhost"}}},
		{"negative DB", Options{Addrs: []string{"h:1"}, DB: -1}},
		{"negative timeout", Options{Addrs: []string{"h:1"}, ReadTimeout: -time.Second}},
		{"unknown mode", Options{Addrs: []string{"h:1"}, Invalidation: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New: %v; want ErrInvalidOptions", err)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	o, err := Options{Addrs: []string{"h:1"}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if o.DialTimeout != DefaultDialTimeout || o.ReadTimeout != DefaultReadTimeout ||
		o.WriteTimeout != DefaultWriteTimeout || o.InvalidationChannel != DefaultInvalidationChannel ||
		o.Invalidation != InvalidationAuto {
		t.Fatalf("defaults not applied: %+v", o)
	}
	co := o.clientOption()
	if !co.DisableCache || !co.DisableRetry || co.Dialer.Timeout != DefaultDialTimeout {
		t.Fatalf("client options: cache off %v, retry off %v, dial %v", co.DisableCache, co.DisableRetry, co.Dialer.Timeout)
	}
	called := false
	o.Configure = func(co *rueidis.ClientOption) { called = true; co.ClientName = "x" }
	if co := o.clientOption(); !called || co.ClientName != "x" {
		t.Fatal("Configure was not applied")
	}
}

func TestOptionsFormattingRedacts(t *testing.T) {
	o := Options{
		URL: "redis://u:url-secret@h", Password: "field-secret", SentinelPassword: "sentinel-secret",
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(format, o)
		for _, secret := range []string{"url-secret", "field-secret", "sentinel-secret"} {
			if strings.Contains(s, secret) {
				t.Fatalf("%s prints %q", format, s)
			}
		}
	}
}

func TestNewFromClient(t *testing.T) {
	if _, err := NewFromClient(nil, Options{}); !errors.Is(err, ErrNilClient) {
		t.Fatalf("NewFromClient(nil) = %v", err)
	}
	srv, _ := standalone(t, Options{})
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	b, err := NewFromClient(client, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := b.Set(ctx, "fc:k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The caller's client still works after the backend closed.
	if v, err := client.Do(ctx, client.B().Get().Key("fc:k").Build()).ToString(); err != nil || v != "v" {
		t.Fatalf("client after Backend.Close: %q, %v", v, err)
	}
}
