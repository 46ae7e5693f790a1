package memory

import (
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

// TestJanitor runs in a synctest bubble, where time only moves when every goroutine is
// blocked: the janitor's ticks are deterministic, and synctest.Test fails if the
// janitor is still running when the bubble ends, which proves Close stops it.
func TestJanitor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval time.Duration
		wantLen  int // after the short-lived entries expired and 2 intervals passed
	}{
		{"removes expired entries", time.Second, 10},
		{"disabled keeps them until met", -1, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				b, err := New(Options{CleanupInterval: tt.interval})
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				ctx := t.Context()
				for i := range 10 {
					_ = b.Set(ctx, "brief"+strconv.Itoa(i), []byte("x"), time.Second)
					_ = b.Set(ctx, "long"+strconv.Itoa(i), []byte("x"), time.Hour)
				}
				time.Sleep(3 * time.Second)
				synctest.Wait()
				if got := b.Len(); got != tt.wantLen {
					t.Fatalf("Len = %d, want %d", got, tt.wantLen)
				}
			})
		})
	}
}

// TestCloseWaitsForJanitor checks, outside any bubble, that Close returns only after
// the janitor goroutine has ended; TestMain's goleak check backs it up.
func TestCloseWaitsForJanitor(t *testing.T) {
	t.Parallel()
	b, err := New(Options{CleanupInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.janitorDone:
	default:
		t.Fatal("Close returned while the janitor was still running")
	}
}
