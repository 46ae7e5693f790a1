package file

import (
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// nameLen is the length of an entry file name: 16 digest bytes in hex.
const nameLen = 32

// tempMarker appears in the name of every temporary file, ours and cachekit-py's
// ("{name}.tmp.{pid}.{ns}"), so that neither SDK ever reads one as an entry and either may
// clean up the other's strays.
const tempMarker = ".tmp."

// lockSuffix ends the name of a lock file; see lock.go.
const lockSuffix = ".lock"

// EntryName returns the name of the file that stores key: the lowercase hex BLAKE2b digest,
// 16 bytes long, of the key's bytes (UTF-8 for any valid Go string). It is the name every
// cachekit SDK uses, so SDKs sharing a directory find each other's entries.
func EntryName(key string) string {
	h, _ := blake2b.New(16, nil) // cannot fail: 16 is a valid size and there is no key
	h.Write([]byte(key))
	var sum [16]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// isEntryName reports whether name is exactly 32 lowercase hex digits, the only names
// read as entries. Everything else in the directory is ignored, apart from temporary
// files (cleaned up when stale) and this package's lock files.
func isEntryName(name string) bool {
	if len(name) != nameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isTempName reports whether name is a temporary file of some cachekit writer.
func isTempName(name string) bool {
	return strings.Contains(name, tempMarker)
}
