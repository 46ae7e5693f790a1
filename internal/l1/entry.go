package l1

import "time"

// Entry is one cached value with its metadata. Entries are immutable once stored.
type Entry struct {
	// Value is the encoded bytes, exactly as the level below stores them. It must not be
	// modified.
	Value []byte
	// InsertedAt is when the entry was stored, in Clock nanoseconds.
	InsertedAt int64
	// ExpiresAt is when the entry stops being returned, in Clock nanoseconds.
	ExpiresAt int64
	// Jitter is a factor drawn once per entry, uniformly in [0.9, 1.1), that spreads the
	// moment entries written together are considered stale.
	Jitter float64
	// Version increases with every entry the cache stores, so a refresher can tell
	// whether the entry it read is still the one in the cache.
	Version uint64
}

// TTL is the lifetime the entry was stored with.
func (e *Entry) TTL() time.Duration { return time.Duration(e.ExpiresAt - e.InsertedAt) }

// Remaining is the lifetime left at now (Clock nanoseconds), never negative.
func (e *Entry) Remaining(now int64) time.Duration {
	if now >= e.ExpiresAt {
		return 0
	}
	return time.Duration(e.ExpiresAt - now)
}

// Stale reports whether the entry, at now, is older than half its lifetime scaled by its
// jitter: the point where stale-while-revalidate serves it and refreshes in the
// background.
func (e *Entry) Stale(now int64) bool {
	age := float64(now - e.InsertedAt)
	return age > float64(e.ExpiresAt-e.InsertedAt)*0.5*e.Jitter
}

// size is what an entry weighs against the byte budget and in the byte count.
func size(key string, e *Entry) int64 { return int64(len(key) + len(e.Value)) }
