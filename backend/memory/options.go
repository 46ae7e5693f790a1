package memory

import (
	"fmt"
	"time"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxEntries is the number of entries a Backend holds before Set evicts.
	DefaultMaxEntries = 100_000
	// DefaultMaxValueSize is the largest value Set accepts: 8 MiB, room for the
	// client's 5 MiB payload limit plus envelope and encryption overhead.
	DefaultMaxValueSize = 8 << 20
	// DefaultCleanupInterval is how often the janitor removes expired entries.
	DefaultCleanupInterval = 30 * time.Second
	// DefaultInvalidationBuffer is how many notifications each invalidation subscriber
	// may fall behind before notifications are dropped.
	DefaultInvalidationBuffer = 1024
)

// Options configures a Backend. The zero value is ready to use: every zero field means
// the documented default.
type Options struct {
	// MaxEntries bounds the number of entries, locks included. Zero means
	// DefaultMaxEntries; it must not be negative. When a Set of a new key goes over the
	// bound, entries are evicted until it holds again: every expired entry first, then
	// live ones chosen as Redis's volatile-ttl policy does, the soonest to expire among
	// a small sample of one shard. Locks and the key just written are never evicted.
	MaxEntries int

	// MaxValueSize is the largest value, in bytes, Set accepts; a larger one fails with
	// an error wrapping backend.ErrValueTooLarge. Zero means DefaultMaxValueSize; it
	// must not be negative.
	MaxValueSize int

	// CleanupInterval is how often a background janitor removes expired entries; they
	// are also removed when a call meets them. Zero means DefaultCleanupInterval; a
	// negative interval runs no janitor.
	CleanupInterval time.Duration

	// InvalidationBuffer is how many notifications each subscriber of
	// SubscribeInvalidations may have waiting before further ones are dropped (see
	// SubscribeInvalidations). Zero means DefaultInvalidationBuffer; it must not be
	// negative.
	InvalidationBuffer int

	// Now is the clock entries expire by. Nil means time.Now. Tests set it to move time
	// by hand; it does not drive the janitor's schedule, only what the janitor finds
	// expired.
	Now func() time.Time
}

// withDefaults validates o and fills its zero fields.
func (o Options) withDefaults() (Options, error) {
	for _, f := range []struct {
		name  string
		value int
	}{
		{"MaxEntries", o.MaxEntries},
		{"MaxValueSize", o.MaxValueSize},
		{"InvalidationBuffer", o.InvalidationBuffer},
	} {
		if f.value < 0 {
			return o, fmt.Errorf("%w: %s is %d; it must not be negative", ErrInvalidOptions, f.name, f.value)
		}
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxValueSize == 0 {
		o.MaxValueSize = DefaultMaxValueSize
	}
	if o.CleanupInterval == 0 {
		o.CleanupInterval = DefaultCleanupInterval
	}
	if o.InvalidationBuffer == 0 {
		o.InvalidationBuffer = DefaultInvalidationBuffer
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}
