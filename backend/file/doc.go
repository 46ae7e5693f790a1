// Package file is a cachekit backend that keeps each entry in its own file in one local
// directory, in the format of cachekit-py's File backend, so that Go and Python processes
// can share a cache directory.
//
// # Format
//
// An entry for key lives in a file named by EntryName(key): the lowercase hex BLAKE2b
// digest, 16 bytes long, of the key's UTF-8 bytes. The file is a 14-byte header and the
// payload:
//
//	43 4B | version 01 | reserved 00 | flags u16 BE 0000 | expiry u64 BE Unix seconds | payload
//
// An expiry of 0 means the entry never expires; otherwise it is expired once the clock
// reaches that second. Set stores now + ttl rounded up to a whole second, so an entry
// lives at least its ttl and at most a second more (cachekit-py rounds down; both are
// whole-second deadlines that every reader treats alike). A file too short for a header, or with the wrong magic or version,
// is corrupt: a miss, and it is removed. A header with a non-zero reserved byte or flags
// announces a transform this reader does not implement: a miss, and readers never return,
// rewrite or remove that file. Names that are not 32 lowercase hex digits are not entries
// and are ignored, except temporary files, removed once older than TempFileMaxAge.
//
// # Contract
//
// Backend implements backend.Backend, backend.TTLInspector, backend.BatchGetter and
// backend.Locker. Every method honours its context before starting I/O, is safe for
// concurrent use by goroutines, and is safe against other processes (Go or Python) using
// the same directory:
//
//   - Writes go through a temporary file in the directory (mode 0600, O_EXCL|O_NOFOLLOW)
//     that is fsynced and then renamed over the entry, so a reader sees the old or the
//     new whole file and a crashed writer leaves only a temporary file.
//   - RefreshTTL rewrites only header bytes 6 to 13, with one positioned write; readers
//     load the header in one read.
//   - An expired or corrupt file is removed only if it is still the file that was read:
//     a newer entry renamed into place meanwhile survives (see removeIfSame in fsio.go
//     for the method and the window that remains).
//   - The directory is created with mode 0700; New refuses an existing one that another
//     user owns or that group or others can write to.
//   - Caps on total bytes, entry count and value size default to cachekit-py's (1 GiB,
//     10000 entries, 100 MiB). A longer value is refused before anything is written;
//     over 90% of a cap, the oldest entries by modification time are evicted down to 70%,
//     never the entry just written.
//   - Operating-system errors are *backend.Error values: ENOSPC, EIO and other passing
//     conditions are transient, permission and configuration problems permanent (see
//     classify in oserror.go).
//
// Entry files are never flock(2)ed, so cachekit-py's non-blocking per-file flocks never
// fail because of this package. The locks of the Locker are files guarded by flock(2) on the directory; they are
// correct between processes on a local file system, not on NFS. Lock files left by a
// crashed holder stay (tiny, and free once their deadline passes) until the key is locked
// again.
//
// The package builds on Linux, macOS and the BSDs; elsewhere it offers only the format
// helpers (ParseHeader, EntryName).
//
// # Example
//
//	b, err := file.New(file.Options{Dir: "/var/cache/myapp"})
//	if err != nil { ... }
//	err = b.Set(ctx, "greeting", []byte("hello"), time.Minute)
//	value, found, err := b.Get(ctx, "greeting")
package file
