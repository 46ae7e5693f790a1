package file

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestParseHeader(t *testing.T) {
	t.Parallel()
	valid := "434b0100" + "0000" + "0000000000000064"
	tests := []struct {
		name    string
		hex     string
		want    Header
		wantErr error
	}{
		{"valid", valid, Header{Version: 1, Expiry: 100}, nil},
		{"valid with payload", valid + "abcdef", Header{Version: 1, Expiry: 100}, nil},
		{"no expiry", "434b01000000" + "0000000000000000", Header{Version: 1}, nil},
		{"max expiry", "434b01000000" + "ffffffffffffffff", Header{Version: 1, Expiry: 1<<64 - 1}, nil},
		{"empty", "", Header{}, ErrCorruptEntry},
		{"13 bytes", valid[:26], Header{}, ErrCorruptEntry},
		{"wrong magic", "434c01000000" + "0000000000000000", Header{}, ErrCorruptEntry},
		{"lowercase magic", "636b01000000" + "0000000000000000", Header{}, ErrCorruptEntry},
		{"version 0", "434b00000000" + "0000000000000000", Header{}, ErrCorruptEntry},
		{"version 2", "434b02000000" + "0000000000000000", Header{}, ErrCorruptEntry},
		{"python CK v3 frame", "434b03000000" + "1c7b2273223a", Header{}, ErrCorruptEntry},
		{"reserved set", "434b01010000" + "0000000000000000", Header{Version: 1, Reserved: 1}, ErrUnsupportedEntry},
		{"flag bit 0", "434b01000001" + "0000000000000000", Header{Version: 1, Flags: 1}, ErrUnsupportedEntry},
		{"flag bit 15", "434b01008000" + "0000000000000005", Header{Version: 1, Flags: 0x8000, Expiry: 5}, ErrUnsupportedEntry},
		{"bad version beats flags", "434b02000001" + "0000000000000000", Header{}, ErrCorruptEntry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseHeader(b)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseHeader error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("ParseHeader = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAppendHeaderLayout(t *testing.T) {
	t.Parallel()
	// The layout from the protocol's file-backend spec: CK, version 1, reserved 0, flags 0,
	// expiry big-endian.
	got := appendHeader(nil, 0x0102030405060708)
	want := []byte{0x43, 0x4b, 0x01, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendHeader = % x, want % x", got, want)
	}
}

func TestExpired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		expiry uint64
		now    time.Time
		want   bool
	}{
		{"never", 0, time.Unix(1<<40, 0), false},
		{"before", 1000, time.Unix(999, 999999999), false},
		{"at the second", 1000, time.Unix(1000, 0), true},
		{"after", 1000, time.Unix(1001, 0), true},
		{"clock before 1970", 1, time.Unix(-5, 0), false},
		{"far future expiry", 1<<64 - 1, time.Unix(1<<40, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Header{Version: 1, Expiry: tt.expiry}).Expired(tt.now); got != tt.want {
				t.Fatalf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExpiryAtAndRemaining(t *testing.T) {
	t.Parallel()
	// The deadline is now + ttl rounded up to a whole second, so an entry never lives
	// less than its ttl.
	for _, tc := range []struct {
		now  time.Time
		ttl  time.Duration
		want uint64
	}{
		{time.Unix(1000, 0), 10 * time.Second, 1010},
		{time.Unix(1000, 1), 10 * time.Second, 1011},
		{time.Unix(1000, 999_999_999), time.Second, 1002},
		{time.Unix(-3, 0), time.Second, 1},
	} {
		if got := expiryAt(tc.now, tc.ttl); got != tc.want {
			t.Errorf("expiryAt(%v, %v) = %d, want %d", tc.now.UnixNano(), tc.ttl, got, tc.want)
		}
	}
	tests := []struct {
		name   string
		expiry uint64
		now    time.Time
		want   time.Duration
	}{
		{"whole second", 1010, time.Unix(1000, 0), 10 * time.Second},
		{"fraction rounds down", 1010, time.Unix(1000, 400_000_000), 9 * time.Second},
		{"last fraction", 1010, time.Unix(1009, 1), 0},
		{"reached", 1010, time.Unix(1010, 0), 0},
		{"past", 1010, time.Unix(2000, 0), 0},
		{"huge expiry is capped, not wrapped", 1<<64 - 1, time.Unix(0, 0), time.Duration(1<<63-1) / time.Second * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := remaining(tt.expiry, tt.now); got != tt.want {
				t.Fatalf("remaining = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEntryNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		entry bool
		temp  bool
	}{
		{"0e2a03b49262c15a063c04d5a29c0158", true, false},
		{"0E2A03B49262C15A063C04D5A29C0158", false, false},
		{"0e2a03b49262c15a063c04d5a29c015", false, false},
		{"0e2a03b49262c15a063c04d5a29c01588", false, false},
		{"0e2a03b49262c15a063c04d5a29c015g", false, false},
		{"0e2a03b49262c15a063c04d5a29c0158.tmp.12.34", false, true},
		{"0e2a03b49262c15a063c04d5a29c0158.lock", false, false},
		{".DS_Store", false, false},
	}
	for _, tt := range tests {
		if got := isEntryName(tt.name); got != tt.entry {
			t.Errorf("isEntryName(%q) = %v, want %v", tt.name, got, tt.entry)
		}
		if got := isTempName(tt.name); got != tt.temp {
			t.Errorf("isTempName(%q) = %v, want %v", tt.name, got, tt.temp)
		}
	}
	for _, k := range []string{"", "a", "test-key", "unicode-ключ-🔑"} {
		if n := EntryName(k); !isEntryName(n) {
			t.Errorf("EntryName(%q) = %q is not an entry name", k, n)
		}
	}
}

// FuzzParseHeader checks that ParseHeader never panics, accepts exactly the headers the
// format allows, and that an accepted header re-encodes to the bytes it came from.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		"434b010000000000000000000000",
		"434b0100000000000000f4865700",
		"434b010000010000000000000000667574757265",
		"434b0102000000000000000000007265736572766564",
		"434b01000000000000003b9aca0065787069726564",
		"434b03", "",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		structurallyValid := len(b) >= HeaderSize && b[0] == 'C' && b[1] == 'K' && b[2] == 1
		switch {
		case !structurallyValid:
			if !errors.Is(err, ErrCorruptEntry) {
				t.Fatalf("ParseHeader(% x) error = %v, want ErrCorruptEntry", b, err)
			}
		case b[3] != 0 || b[4] != 0 || b[5] != 0:
			if !errors.Is(err, ErrUnsupportedEntry) {
				t.Fatalf("ParseHeader(% x) error = %v, want ErrUnsupportedEntry", b, err)
			}
		default:
			if err != nil {
				t.Fatalf("ParseHeader(% x) error = %v", b, err)
			}
			if got := appendHeader(nil, h.Expiry); !bytes.Equal(got, b[:HeaderSize]) {
				t.Fatalf("re-encoded % x, want % x", got, b[:HeaderSize])
			}
		}
	})
}
