// Package testclock is a clock that tests move by hand, for the options that take a
// time source (file.Options.Clock, devserver.Options.Now and the like): pass Clock.Now,
// then Set or Advance the time between the calls under test. It is safe for concurrent
// use, so the code under test may read it from its own goroutines.
//
//	clk := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
//	b, _ := file.New(file.Options{Dir: dir, Clock: clk.Now})
//	clk.Advance(time.Minute) // every entry with a shorter TTL has now expired
package testclock

import (
	"sync"
	"time"
)

// Clock is a hand-moved clock. It stands still between calls to Set and Advance.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock that reads start until it is moved.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, backwards as well as forwards.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forwards by d (backwards for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
