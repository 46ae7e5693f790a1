package memory

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

// newClockBackend returns a backend driven by a fake clock, with no janitor so that
// only the calls under test remove anything.
func newClockBackend(t *testing.T, opts Options) (*Backend, *testclock.Clock) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	opts.Now = clock.Now
	opts.CleanupInterval = -1
	return newBackend(t, opts), clock
}

// TestExpiryFollowsClock checks the contract's lifetime rules against the clock: ttls
// round up to whole seconds, and an entry is live strictly before its expiry.
func TestExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl, elapsed time.Duration
		live         bool
	}{
		{time.Second, 0, true},
		{time.Second, 999 * time.Millisecond, true},
		{time.Second, time.Second, false},
		{time.Nanosecond, 999 * time.Millisecond, true},
		{time.Nanosecond, time.Second, false},
		{1500 * time.Millisecond, 1999 * time.Millisecond, true},
		{1500 * time.Millisecond, 2 * time.Second, false},
		{time.Hour, time.Hour - time.Nanosecond, true},
		{time.Hour, time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.ttl.String()+"_after_"+tt.elapsed.String(), func(t *testing.T) {
			t.Parallel()
			b, clock := newClockBackend(t, Options{})
			ctx := t.Context()
			if err := b.Set(ctx, "k", []byte("v"), tt.ttl); err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.elapsed)

			_, found, err := b.Get(ctx, "k")
			if err != nil || found != tt.live {
				t.Fatalf("Get = (found %v, %v), want found %v", found, err, tt.live)
			}
			if ok, _ := b.Exists(ctx, "k"); ok != tt.live {
				t.Errorf("Exists = %v, want %v", ok, tt.live)
			}
			if _, found, _ := b.TTL(ctx, "k"); found != tt.live {
				t.Errorf("TTL found = %v, want %v", found, tt.live)
			}
			if m, _ := b.GetMany(ctx, []string{"k"}); (len(m) == 1) != tt.live {
				t.Errorf("GetMany = %d entries, want live %v", len(m), tt.live)
			}
			wantLen := 0
			if tt.live {
				wantLen = 1
			}
			if b.Len() != wantLen {
				t.Errorf("Len = %d, want %d: an expired entry met by a call is removed", b.Len(), wantLen)
			}
		})
	}
}

// TestTTLRoundsDown checks that TTL reports whole seconds, rounded down.
func TestTTLRoundsDown(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{})
	ctx := t.Context()
	if err := b.Set(ctx, "k", []byte("v"), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance, want time.Duration
	}{
		{0, 10 * time.Second},
		{2500 * time.Millisecond, 7 * time.Second},
		{7400 * time.Millisecond, 0},
	} {
		clock.Advance(step.advance)
		got, found, err := b.TTL(ctx, "k")
		if err != nil || !found || got != step.want {
			t.Fatalf("TTL after %v more = (%v, %v, %v), want (%v, true, nil)", step.advance, got, found, err, step.want)
		}
	}
}

// TestRefreshTTLFollowsClock checks that RefreshTTL restarts the lifetime from the
// moment of the refresh.
func TestRefreshTTLFollowsClock(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{})
	ctx := t.Context()
	if err := b.Set(ctx, "k", []byte("v"), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * time.Second)
	if ok, err := b.RefreshTTL(ctx, "k", 10*time.Second); !ok || err != nil {
		t.Fatalf("RefreshTTL = (%v, %v), want (true, nil)", ok, err)
	}
	clock.Advance(9 * time.Second) // 17 s after Set, 9 s after the refresh
	if ok, _ := b.Exists(ctx, "k"); !ok {
		t.Fatal("entry gone 9 s after a 10 s refresh")
	}
	clock.Advance(time.Second)
	if ok, _ := b.Exists(ctx, "k"); ok {
		t.Fatal("entry still live 10 s after a 10 s refresh")
	}
	if ok, err := b.RefreshTTL(ctx, "k", time.Minute); ok || err != nil {
		t.Fatalf("RefreshTTL of an expired entry = (%v, %v), want (false, nil)", ok, err)
	}
}

// TestLockExpiryFollowsClock checks that a lock frees itself at its timeout and that
// the former holder cannot then release the new holder's lock.
func TestLockExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{})
	ctx := t.Context()
	first, ok, err := b.AcquireLock(ctx, "job", 5*time.Second)
	if !ok || err != nil {
		t.Fatalf("AcquireLock = (%v, %v)", ok, err)
	}
	clock.Advance(5*time.Second - time.Nanosecond)
	if _, ok, _ := b.AcquireLock(ctx, "job", 5*time.Second); ok {
		t.Fatal("lock acquired before the holder's timeout")
	}
	clock.Advance(time.Nanosecond)
	second, ok, err := b.AcquireLock(ctx, "job", 5*time.Second)
	if !ok || err != nil {
		t.Fatalf("AcquireLock at the timeout = (%v, %v), want acquired", ok, err)
	}
	if ok, _ := b.ReleaseLock(ctx, "job", first); ok {
		t.Fatal("the expired holder released the new holder's lock")
	}
	if v, found, _ := b.Get(ctx, backend.LockKey("job")); !found || string(v) != second {
		t.Fatalf("Get(LockKey) = (%q, %v), want the holder's id %q", v, found, second)
	}
	if ok, _ := b.ReleaseLock(ctx, "job", second); !ok {
		t.Fatal("the holder could not release its lock")
	}
}

func TestLockRejectsInvalidTimeout(t *testing.T) {
	t.Parallel()
	b, _ := newClockBackend(t, Options{})
	for _, timeout := range []time.Duration{0, -time.Second} {
		_, ok, err := b.AcquireLock(t.Context(), "job", timeout)
		if ok || !errors.Is(err, backend.ErrInvalidTTL) {
			t.Errorf("AcquireLock(timeout %v) = (%v, %v), want ErrInvalidTTL", timeout, ok, err)
		}
	}
	if b.Len() != 0 {
		t.Fatalf("Len = %d after refused locks, want 0", b.Len())
	}
}

// TestLongestTTL is the regression test for backend.NormalizeTTL wrapping a ttl within a
// second of the largest Duration into a negative one: such an entry must be stored and
// live for backend.MaxTTL, not expired at once.
func TestLongestTTL(t *testing.T) {
	t.Parallel()
	b, clock := newClockBackend(t, Options{})
	ctx := t.Context()
	if err := b.Set(ctx, "k", []byte("v"), math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	const halfCentury = 50 * 365 * 24 * time.Hour
	clock.Advance(halfCentury)
	d, found, err := b.TTL(ctx, "k")
	if err != nil || !found || d < backend.MaxTTL-halfCentury-time.Second {
		t.Fatalf("TTL 50 years after Set with the largest ttl = (%v, %v, %v), want live with about %v left", d, found, err, backend.MaxTTL-halfCentury)
	}
}
