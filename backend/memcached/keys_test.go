package memcached

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

func TestValidateKey(t *testing.T) {
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{"one byte", "a", true},
		{"250 bytes", strings.Repeat("k", 250), true},
		{"all printable", "!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~", true},
		{"interop key", "myapp:get_user:" + strings.Repeat("0f", 32), true},
		{"empty", "", false},
		{"251 bytes", strings.Repeat("k", 251), false},
		{"1024 bytes", strings.Repeat("k", 1024), false},
		{"space", "my key", false},
		{"tab", "my\tkey", false},
		{"newline", "key\n", false},
		{"carriage return", "key\r\nget other", false},
		{"nul", "k\x00", false},
		{"del", "k\x7f", false},
		{"utf-8", "café", false},
		{"high byte", "k\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateKey(tt.key)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateKey = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, backend.ErrInvalidKey) {
				t.Fatalf("ValidateKey = %v, want an error wrapping backend.ErrInvalidKey", err)
			}
			if len(tt.key) > 2 && strings.Contains(err.Error(), tt.key) {
				t.Fatalf("ValidateKey's error %q contains the key", err)
			}
		})
	}
}

func TestNormalizeTTLHuge(t *testing.T) {
	for _, ttl := range []time.Duration{math.MaxInt64, math.MaxInt64 - 1, 100 * 365 * 24 * time.Hour} {
		got, err := normalizeTTL(ttl)
		if err != nil || got != MaxTTL || expiration(got) != 2592000 {
			t.Fatalf("normalizeTTL(%v) = (%v, %v), want MaxTTL", ttl, got, err)
		}
	}
	if _, err := normalizeTTL(0); !errors.Is(err, backend.ErrInvalidTTL) {
		t.Fatalf("normalizeTTL(0) = %v, want ErrInvalidTTL", err)
	}
	if got, _ := normalizeTTL(1500 * time.Millisecond); got != 2*time.Second {
		t.Fatalf("normalizeTTL(1.5s) = %v, want 2s", got)
	}
}

// TestExpiration: whole seconds plus one for memcached's one-second clock, never above
// 30 days (2592000 s), beyond which memcached reads an absolute Unix time.
func TestExpiration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		ttl       time.Duration
		entry     int32
		lockEntry int32
	}{
		{time.Second, 2, 1},
		{5 * time.Second, 6, 5},
		{29 * day, 29*86400 + 1, 29 * 86400},
		{30*day - time.Second, 2592000, 2591999},
		{30 * day, 2592000, 2592000},
		{31 * day, 2592000, 2592000},
		{10 * 365 * day, 2592000, 2592000},
	}
	for _, tt := range tests {
		t.Run(tt.ttl.String(), func(t *testing.T) {
			if got := expiration(tt.ttl); got != tt.entry {
				t.Errorf("expiration(%v) = %d, want %d", tt.ttl, got, tt.entry)
			}
			if got := lockExpiration(tt.ttl); got != tt.lockEntry {
				t.Errorf("lockExpiration(%v) = %d, want %d", tt.ttl, got, tt.lockEntry)
			}
		})
	}
}
