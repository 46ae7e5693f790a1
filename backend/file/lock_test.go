//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

func TestLockLifecycleWithClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testclock.New(t0)
	b := newTestBackend(t, Options{Clock: clock.Now})
	id, ok, err := b.AcquireLock(ctx, "job", 5*time.Second)
	if err != nil || !ok || len(id) != 32 {
		t.Fatalf("AcquireLock = %q, %v, %v", id, ok, err)
	}
	if _, ok, _ := b.AcquireLock(ctx, "job", time.Second); ok {
		t.Fatal("a held lock was taken again")
	}
	// The lock file is not an entry: neither the key nor LockKey(key) exists.
	for _, k := range []string{"job", backend.LockKey("job")} {
		if ok, _ := b.Exists(ctx, k); ok {
			t.Fatalf("Exists(%q) while locked", k)
		}
	}
	clock.Advance(4999 * time.Millisecond)
	if _, ok, _ := b.AcquireLock(ctx, "job", time.Second); ok {
		t.Fatal("the lock was taken before its deadline")
	}
	clock.Advance(time.Millisecond)
	next, ok, err := b.AcquireLock(ctx, "job", 5*time.Second)
	if err != nil || !ok || next == id {
		t.Fatalf("AcquireLock after the deadline = %q, %v, %v", next, ok, err)
	}
	if released, _ := b.ReleaseLock(ctx, "job", id); released {
		t.Fatal("the expired holder released the new holder's lock")
	}
	if released, err := b.ReleaseLock(ctx, "job", next); err != nil || !released {
		t.Fatalf("ReleaseLock = %v, %v", released, err)
	}
	if _, err := os.Lstat(b.lockPath("job")); !os.IsNotExist(err) {
		t.Fatalf("lock file left after release: %v", err)
	}
	// An expired lock still under its holder's id is cleaned up but not reported held.
	id, _, _ = b.AcquireLock(ctx, "job", time.Second)
	clock.Advance(time.Minute)
	if released, err := b.ReleaseLock(ctx, "job", id); err != nil || released {
		t.Fatalf("ReleaseLock of an expired lock = %v, %v", released, err)
	}
	if _, err := os.Lstat(b.lockPath("job")); !os.IsNotExist(err) {
		t.Fatal("expired lock file left")
	}
	if _, _, err := b.AcquireLock(ctx, "job", 0); err == nil {
		t.Fatal("a zero timeout was accepted")
	}
	if released, err := b.ReleaseLock(ctx, "job", ""); err != nil || released {
		t.Fatalf("ReleaseLock with an empty id = %v, %v", released, err)
	}
}

func TestLockFileGarbageIsFree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newTestBackend(t, Options{})
	for _, content := range []string{"", "garbage", lockMagic + " notanumber id", lockMagic + " 99999999999999999999 x"} {
		if err := os.WriteFile(b.lockPath("k"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := b.AcquireLock(ctx, "k", time.Minute); err != nil || !ok {
			t.Fatalf("lock file %q: AcquireLock = %v, %v", content, ok, err)
		}
	}
}

// TestLockRaceOneWinner races goroutines on two backends (two descriptors, so the
// directory flock really arbitrates) for a lock whose previous holder has expired:
// exactly one may win each round.
func TestLockRaceOneWinner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	clock := testclock.New(t0)
	backends := []*Backend{
		newTestBackend(t, Options{Dir: dir, Clock: clock.Now}),
		newTestBackend(t, Options{Dir: dir, Clock: clock.Now}),
	}
	for round := range 20 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ok, err := backends[g%2].AcquireLock(ctx, "contended", time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d winners", round, n)
		}
		clock.Advance(2 * time.Minute) // the winner's lock expires before the next round
	}
}

func TestLockWaitHonoursContext(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	// Another process holds the directory flock for longer than the caller will wait.
	other := newTestBackend(t, Options{Dir: b.dir})
	release, err := other.lockDir(context.Background(), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = b.AcquireLock(ctx, "k", time.Second)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, backend.ErrTimeout) {
		t.Fatalf("AcquireLock while the directory is locked = %v", err)
	}
}
