package cachekey

import (
	"encoding/hex"
	"errors"
)

// UUID is a 128-bit UUID. As an argument it becomes its lowercase hyphenated string,
// "550e8400-e29b-41d4-a716-446655440000", as in the other SDKs. A bare [16]byte, and any
// named type of that shape (such as github.com/google/uuid.UUID), is taken as a UUID
// too.
type UUID [16]byte

// String returns the lowercase hyphenated form.
func (u UUID) String() string {
	text := u.text()
	return string(text[:])
}

// text is the lowercase hyphenated form, 36 bytes.
func (u UUID) text() [36]byte {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], u[10:16])
	return buf
}

// errBadUUID is returned by ParseUUID.
var errBadUUID = errors.New("cachekey: a UUID must be 32 hex digits in the 8-4-4-4-12 hyphenated form")

// ParseUUID reads the hyphenated form of a UUID, in either case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, errBadUUID
	}
	digits := make([]byte, 0, 32)
	for i := 0; i < len(s); i++ {
		if i != 8 && i != 13 && i != 18 && i != 23 {
			digits = append(digits, s[i])
		}
	}
	if _, err := hex.Decode(u[:], digits); err != nil {
		return UUID{}, errBadUUID
	}
	return u, nil
}
