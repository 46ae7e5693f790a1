package memcached

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestOptionsValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string // part of the message
	}{
		{"no servers", Options{}, "Servers is empty"},
		{"empty address", Options{Servers: []string{" "}}, "empty"},
		{"no port", Options{Servers: []string{"localhost"}}, "not \"host:port\""},
		{"no host", Options{Servers: []string{":11211"}}, "no host"},
		{"port zero", Options{Servers: []string{"h:0"}}, "valid port"},
		{"port too big", Options{Servers: []string{"h:65536"}}, "valid port"},
		{"port not a number", Options{Servers: []string{"h:mc"}}, "valid port"},
		{"duplicate", Options{Servers: []string{"h:11211", "h:011211"}}, "listed twice"},
		{"negative timeout", Options{Servers: []string{"h:1"}, Timeout: -time.Second}, "Timeout"},
		{"negative idle", Options{Servers: []string{"h:1"}, MaxIdleConns: -1}, "MaxIdleConns"},
		{"negative item size", Options{Servers: []string{"h:1"}, MaxItemSize: -1}, "MaxItemSize"},
		{"item size below memcached's minimum", Options{Servers: []string{"h:1"}, MaxItemSize: 1023}, "MaxItemSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.validate()
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("validate() = %v, want an error wrapping ErrInvalidOptions", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("validate() = %q, want it to mention %q", err, tt.want)
			}
			if _, err := New(tt.opts); !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New() = %v, want the same refusal", err)
			}
		})
	}
}

// TestParseServerNames: node names follow pymemcache's "%s:%s" % (host, int(port)), the
// string rendezvous hashing scores, so they must match what cachekit-py computes.
func TestParseServerNames(t *testing.T) {
	tests := []struct {
		in, name, network, address string
	}{
		{"127.0.0.1:11211", "127.0.0.1:11211", "tcp", "127.0.0.1:11211"},
		{" mc1.internal:11211 ", "mc1.internal:11211", "tcp", "mc1.internal:11211"},
		{"mc1:011211", "mc1:11211", "tcp", "mc1:11211"},
		{"[::1]:11211", "[::1]:11211", "tcp", "[::1]:11211"},
		{"/run/memcached.sock", "/run/memcached.sock", "unix", "/run/memcached.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := parseServer(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if s.name != tt.name || s.network != tt.network || s.address != tt.address {
				t.Fatalf("parseServer(%q) = %+v, want name %q, %s %q", tt.in, s, tt.name, tt.network, tt.address)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	var o Options
	if o.timeout() != DefaultTimeout || o.maxIdleConns() != DefaultMaxIdleConns || o.maxValueSize() != 1048262 {
		t.Fatalf("zero Options give %v, %d, %d; want the documented defaults", o.timeout(), o.maxIdleConns(), o.maxValueSize())
	}
	if DefaultMaxItemSize != 1024*1024 {
		t.Fatalf("DefaultMaxItemSize = %d, want memcached's 1 MiB", DefaultMaxItemSize)
	}
	o = Options{Timeout: time.Second, MaxIdleConns: 3, MaxItemSize: 2048}
	if o.timeout() != time.Second || o.maxIdleConns() != 3 || o.maxValueSize() != 2048-ItemOverhead {
		t.Fatal("explicit Options were not used")
	}
}
