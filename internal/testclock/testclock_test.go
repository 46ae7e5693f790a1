package testclock

import (
	"sync"
	"testing"
	"time"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	c := New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want the start %v", got, start)
	}
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now moved by itself to %v", got)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), start.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance(90s): %v, want %v", got, want)
	}
	back := start.Add(-time.Hour)
	c.Set(back)
	if got := c.Now(); !got.Equal(back) {
		t.Fatalf("after Set: %v, want %v", got, back)
	}
	c.Advance(-time.Minute)
	if got, want := c.Now(), back.Add(-time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance(-1m): %v, want %v", got, want)
	}
}

// TestClockConcurrentUse moves and reads the clock from several goroutines, which the
// race detector checks, and then finds every step counted.
func TestClockConcurrentUse(t *testing.T) {
	start := time.Unix(0, 0)
	c := New(start)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 250 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(time.Second); !got.Equal(want) {
		t.Fatalf("after 1000 steps of 1ms: %v, want %v", got, want)
	}
}
