package file

import "time"

// Defaults for the zero values of Options. The size defaults are cachekit-py's
// (max_size_mb 1024, max_value_mb 100, max_entry_count 10000), so that SDKs sharing a
// directory keep it to the same size.
const (
	// DefaultMaxTotalBytes is the default cap on the bytes of all entry files: 1 GiB.
	DefaultMaxTotalBytes int64 = 1024 << 20
	// DefaultMaxValueSize is the default cap on one value's length: 100 MiB, or half of
	// MaxTotalBytes when that is smaller.
	DefaultMaxValueSize int64 = 100 << 20
	// DefaultMaxEntries is the default cap on the number of entry files.
	DefaultMaxEntries = 10000
	// DefaultTempFileMaxAge is how old a temporary file must be before it is taken for
	// the leftover of a crashed writer and removed, as in cachekit-py.
	DefaultTempFileMaxAge = 60 * time.Second
	// DefaultRescanWrites is how many writes of this process pass between two full scans
	// of the directory, which correct the size estimate for other processes' writes.
	DefaultRescanWrites = 1000
)

// Eviction watermarks, the same as cachekit-py's: eviction starts when the bytes or the
// entry count exceed 90% of their cap, and removes the oldest entries until both are at
// or below 70%. The gap amortises the directory scan that eviction needs.
const (
	evictTriggerPercent = 90
	evictTargetPercent  = 70
)

// Options configures a file backend. The zero value of every field except Dir means the
// documented default.
type Options struct {
	// Dir is the cache directory (required). It is created with mode 0700 when missing;
	// an existing one must be a directory owned by the current user that group and
	// others cannot write to. A symbolic link is resolved once, by New.
	Dir string

	// MaxTotalBytes caps the summed size of all entry files, headers included.
	// Default DefaultMaxTotalBytes.
	MaxTotalBytes int64

	// MaxEntries caps the number of entry files. Default DefaultMaxEntries.
	MaxEntries int

	// MaxValueSize caps the length of one value; Set refuses a longer one with an error
	// wrapping backend.ErrValueTooLarge before writing anything. Default
	// DefaultMaxValueSize, or MaxTotalBytes/2 when that is smaller. Like cachekit-py, New
	// refuses a value above MaxTotalBytes/2. Files whose payload is longer (written by
	// another process with a larger cap) are read as misses and left in place.
	MaxValueSize int64

	// TempFileMaxAge is the age after which a temporary file (a crashed writer's
	// leftover) is removed. Default DefaultTempFileMaxAge.
	TempFileMaxAge time.Duration

	// RescanWrites is the number of writes between two full directory scans. Default
	// DefaultRescanWrites.
	RescanWrites int

	// SyncDir makes Set fsync the directory after each rename, so that the new entry
	// survives a power failure or kernel crash. Off by default: the entry file itself is
	// always fsynced before the rename, so a crash never exposes a torn entry, and a
	// cache can afford to lose the newest rename after a power failure (the reader sees
	// the previous value or a miss).
	SyncDir bool

	// Clock returns the current time; it decides expiry, lock deadlines and the age of
	// temporary files. Default time.Now. Tests inject a fixed clock.
	Clock func() time.Time
}

// withDefaults validates o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, &ConfigError{Field: "Dir", Reason: "a cache directory is required"}
	}
	if o.MaxTotalBytes < 0 {
		return o, &ConfigError{Field: "MaxTotalBytes", Reason: "must not be negative"}
	}
	if o.MaxEntries < 0 {
		return o, &ConfigError{Field: "MaxEntries", Reason: "must not be negative"}
	}
	if o.MaxValueSize < 0 {
		return o, &ConfigError{Field: "MaxValueSize", Reason: "must not be negative"}
	}
	if o.TempFileMaxAge < 0 {
		return o, &ConfigError{Field: "TempFileMaxAge", Reason: "must not be negative"}
	}
	if o.RescanWrites < 0 {
		return o, &ConfigError{Field: "RescanWrites", Reason: "must not be negative"}
	}
	if o.MaxTotalBytes == 0 {
		o.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxValueSize == 0 {
		o.MaxValueSize = min(DefaultMaxValueSize, o.MaxTotalBytes/2)
		if o.MaxValueSize == 0 {
			return o, &ConfigError{Field: "MaxTotalBytes", Reason: "too small to hold any value"}
		}
	}
	if o.MaxValueSize > o.MaxTotalBytes/2 {
		return o, &ConfigError{Field: "MaxValueSize", Reason: "must not exceed half of MaxTotalBytes"}
	}
	if o.TempFileMaxAge == 0 {
		o.TempFileMaxAge = DefaultTempFileMaxAge
	}
	if o.RescanWrites == 0 {
		o.RescanWrites = DefaultRescanWrites
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o, nil
}
