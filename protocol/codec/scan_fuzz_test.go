package codec

import (
	"errors"
	"testing"
)

// FuzzScanMatchesReference proves the iterative bounds walk equivalent to the recursive
// reference: for every input, the same document length or the same sentinel at the same
// offset.
func FuzzScanMatchesReference(f *testing.F) {
	for _, seed := range [][]byte{
		{}, {0xc1}, {0x92, 0x01, 0xc1}, {0xcd, 0x01}, {0xd9}, {0xc7, 0x00}, {0xd6, 0xff},
		{0xdd, 0xff, 0xff, 0xff, 0xff, 0x00}, {0x92, 0x94, 0x01, 0x01, 0x01, 0x01},
		{0x81, 0xa1, 'a'}, {0x81, 0xa1, 'a', 0x90}, {0x01, 0x00}, {0x93, 0x90, 0x80, 0xc0},
		{0xc7, 0x01, 0x05, 0x00}, {0xdf, 0x00, 0x00, 0x00, 0x01, 0xa0, 0xc3},
	} {
		f.Add(seed)
	}
	deep := make([]byte, 0, 202)
	for range 101 {
		deep = append(deep, 0x81, 0x00)
	}
	f.Add(deep)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := scanDocument(data)
		wantN, wantErr := refScanDocument(data)
		if n != wantN || (err == nil) != (wantErr == nil) {
			t.Fatalf("scanDocument = %d, %v; reference = %d, %v", n, err, wantN, wantErr)
		}
		if err == nil {
			return
		}
		var got, want *DecodeError
		if !errors.As(err, &got) || !errors.As(wantErr, &want) {
			t.Fatalf("errors %T, %T are not *DecodeError", err, wantErr)
		}
		if *got != *want {
			t.Fatalf("scanDocument error %+v, reference %+v", *got, *want)
		}
	})
}
