package flight

import (
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Defaults for the zero fields of Options.
const (
	// DefaultLockTimeout is the lifetime of the distributed lock {key}:lock, the
	// figure every cachekit SDK uses.
	DefaultLockTimeout = 5 * time.Second
	// DefaultPollInterval is the first pause of a follower that waits for another
	// process's value; later pauses double up to MaxPollInterval.
	DefaultPollInterval = 50 * time.Millisecond
	// DefaultMaxPollInterval is the longest pause between two looks at the cache while
	// waiting, and the pause used when invalidations wake the follower.
	DefaultMaxPollInterval = 500 * time.Millisecond
)

// Options configures a Group. The zero value is ready to use: an in-process only
// group with every duration at its documented default.
type Options struct {
	// Locker, when set, extends single-flight across processes: a flight first takes
	// the lock backend.LockKey(key) and only the holder loads; other processes wait for
	// its value. Nil keeps single-flight within this process.
	Locker backend.Locker

	// Invalidator, when set together with Locker, wakes waiting followers as soon as a
	// key under InvalidationPrefix changes instead of at their next poll. The group
	// subscribes on the first wait and keeps the subscription until Close. It is
	// ignored without a Locker, since only cross-process followers wait for a write.
	Invalidator backend.Invalidator

	// InvalidationPrefix is the key prefix of the invalidation subscription, normally
	// the client's "{namespace}:". Empty subscribes to every key.
	InvalidationPrefix string

	// LockTimeout is how long the distributed lock lives, so how long a dead holder can
	// keep others waiting. Zero means DefaultLockTimeout. Backends round it up to whole
	// seconds.
	LockTimeout time.Duration

	// WaitTimeout is how long a flight waits for another process's value before it
	// loads anyway. Zero means LockTimeout.
	WaitTimeout time.Duration

	// LoadTimeout bounds the context the load function runs on, which is detached from
	// every caller's cancellation (see Group.Do). Zero means LockTimeout.
	LoadTimeout time.Duration

	// PollInterval is the first pause between two looks at the cache while waiting for
	// another process; each later pause doubles, up to MaxPollInterval, and every pause
	// is jittered by a factor in [0.8, 1.2). Zero means DefaultPollInterval.
	PollInterval time.Duration

	// MaxPollInterval caps the pause between looks, and is the pause used while an
	// invalidation subscription is active (it then only serves to notice a lock holder
	// that died). Zero means the larger of DefaultMaxPollInterval and PollInterval; it
	// must not be below PollInterval.
	MaxPollInterval time.Duration

	// OnError, when set, receives every failure of a backend call the group makes for
	// its own coordination (acquiring or releasing a lock, subscribing to
	// invalidations), as a *CoordinationError. Such failures never fail a Do: the group
	// falls back to loading without the lock. OnError runs on the flight's goroutine
	// and should return quickly.
	OnError func(err error)
}

// withDefaults validates o and fills its zero fields.
func (o Options) withDefaults() (Options, error) {
	for _, f := range []struct {
		name  string
		value time.Duration
	}{
		{"LockTimeout", o.LockTimeout},
		{"WaitTimeout", o.WaitTimeout},
		{"LoadTimeout", o.LoadTimeout},
		{"PollInterval", o.PollInterval},
		{"MaxPollInterval", o.MaxPollInterval},
	} {
		if f.value < 0 {
			return o, fmt.Errorf("%w: %s is %v; it must not be negative", ErrInvalidOptions, f.name, f.value)
		}
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.WaitTimeout == 0 {
		o.WaitTimeout = o.LockTimeout
	}
	if o.LoadTimeout == 0 {
		o.LoadTimeout = o.LockTimeout
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPollInterval == 0 {
		o.MaxPollInterval = max(DefaultMaxPollInterval, o.PollInterval)
	}
	if o.MaxPollInterval < o.PollInterval {
		return o, fmt.Errorf("%w: MaxPollInterval %v is below PollInterval %v", ErrInvalidOptions, o.MaxPollInterval, o.PollInterval)
	}
	return o, nil
}
