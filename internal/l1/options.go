package l1

import (
	"errors"
	"time"
)

// DefaultCapacity is the number of entries a cache holds when Options.Capacity is zero.
const DefaultCapacity = 1000

// Clock is the time source of a cache, in nanoseconds since an arbitrary fixed point.
// Tests inject one to move time by hand.
type Clock interface {
	NowNano() int64
}

// Options configures a Cache. The zero value is a cache of DefaultCapacity entries with
// no byte budget on the system clock.
type Options struct {
	// Capacity is the maximum number of entries; zero means DefaultCapacity.
	Capacity int
	// MaxBytes is an optional budget for len(key)+len(value) summed over all entries;
	// zero means no byte budget. See the package documentation for how it combines with
	// Capacity.
	MaxBytes int64
	// Clock is the time source; nil means the system clock. A custom clock disables
	// otter's periodic clean-up (expired entries are still never returned and are
	// removed as the cache runs maintenance).
	Clock Clock
}

// errNegative is returned by New for negative sizes.
var errNegative = errors.New("l1: capacity and byte budget must not be negative")

func (o Options) capacity() int {
	if o.Capacity == 0 {
		return DefaultCapacity
	}
	return o.Capacity
}

// systemClock reads the wall clock, as otter's default clock does, so that entry times
// agree with otter's own expiry checks.
type systemClock struct{}

func (systemClock) NowNano() int64 { return time.Now().UnixNano() }

// otterClock adapts a custom Clock to otter's interface. A nil tick channel tells otter
// to do without periodic clean-ups, so no goroutine waits on a clock that tests move by
// hand.
type otterClock struct{ Clock }

func (otterClock) Tick(time.Duration) <-chan time.Time { return nil }
