package memcached_test

import (
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func TestLock(t *testing.T) {
	t.Parallel()
	srv := startServers(t, 1, testserver.MemcachedOptions{})
	b := newBackend(t, memcached.Options{}, srv...)
	other := newBackend(t, memcached.Options{}, srv...) // a second process
	ctx := t.Context()

	t.Run("AcquireRelease", func(t *testing.T) {
		t.Parallel()
		key := uniqueKey("lock")
		id, ok, err := b.AcquireLock(ctx, key, 5*time.Second)
		if err != nil || !ok || id == "" {
			t.Fatalf("AcquireLock = (%q, %v, %v)", id, ok, err)
		}
		// The lock is an ordinary entry under LockKey(key) holding the id, as the other
		// SDKs store it; key itself stays absent.
		raw := memcache.New(srv[0].Addr)
		defer raw.Close()
		item, err := raw.Get(backend.LockKey(key))
		if err != nil || string(item.Value) != id {
			t.Fatalf("raw get of the lock key = (%v, %v), want the lock id", item, err)
		}
		if found, _ := b.Exists(ctx, key); found {
			t.Fatal("taking the lock made the key exist")
		}
		if _, ok, err := other.AcquireLock(ctx, key, 5*time.Second); err != nil || ok {
			t.Fatalf("second AcquireLock = (%v, %v), want (false, nil)", ok, err)
		}
		if released, err := other.ReleaseLock(ctx, key, "not-the-id"); err != nil || released {
			t.Fatalf("ReleaseLock with a wrong id = (%v, %v), want (false, nil)", released, err)
		}
		if released, err := other.ReleaseLock(ctx, key, ""); err != nil || released {
			t.Fatalf("ReleaseLock with an empty id = (%v, %v), want (false, nil)", released, err)
		}
		if released, err := b.ReleaseLock(ctx, key, id); err != nil || !released {
			t.Fatalf("ReleaseLock = (%v, %v), want (true, nil)", released, err)
		}
		if found, _ := b.Exists(ctx, backend.LockKey(key)); found {
			t.Fatal("the lock entry is still there after release")
		}
		if released, err := b.ReleaseLock(ctx, key, id); err != nil || released {
			t.Fatalf("second ReleaseLock = (%v, %v), want (false, nil)", released, err)
		}
		id2, ok, err := other.AcquireLock(ctx, key, 5*time.Second)
		if err != nil || !ok || id2 == id {
			t.Fatalf("AcquireLock after release = (%q, %v, %v), want a new lock", id2, ok, err)
		}
	})

	// ExpiredLockTakenByOther: a holder whose lock expired and was taken by someone else
	// must not release the new holder's lock.
	t.Run("ExpiredLockTakenByOther", func(t *testing.T) {
		t.Parallel()
		key := uniqueKey("lock")
		oldID, ok, err := b.AcquireLock(ctx, key, time.Second)
		if err != nil || !ok {
			t.Fatalf("AcquireLock = (%v, %v)", ok, err)
		}
		var newID string
		deadline := time.Now().Add(10 * time.Second)
		for {
			id, ok, err := other.AcquireLock(ctx, key, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				newID = id
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a 1-second lock was still held after 10 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if released, err := b.ReleaseLock(ctx, key, oldID); err != nil || released {
			t.Fatalf("stale ReleaseLock = (%v, %v), want (false, nil)", released, err)
		}
		if released, err := other.ReleaseLock(ctx, key, newID); err != nil || !released {
			t.Fatalf("the new holder's ReleaseLock = (%v, %v), want (true, nil)", released, err)
		}
	})

	// ReleaseIsCompareAndDelete: a write to the lock entry between the release's read and
	// its delete makes the release fail, which is what makes it safe. The write is made
	// with the same value, so only the CAS token can tell.
	t.Run("ReleaseIsCompareAndDelete", func(t *testing.T) {
		t.Parallel()
		key := uniqueKey("lock")
		id, ok, err := b.AcquireLock(ctx, key, time.Minute)
		if err != nil || !ok {
			t.Fatal(err)
		}
		raw := memcache.New(srv[0].Addr)
		defer raw.Close()
		item, err := raw.Get(backend.LockKey(key))
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Set(&memcache.Item{Key: backend.LockKey(key), Value: []byte(id), Expiration: 60}); err != nil {
			t.Fatal(err)
		}
		// The release path: cas with an expired entry and the token read before the
		// write. It must fail and leave the lock.
		err = raw.CompareAndSwap(&memcache.Item{Key: backend.LockKey(key), Expiration: -1, CasID: item.CasID})
		if err != memcache.ErrCASConflict {
			t.Fatalf("cas with a stale token = %v, want ErrCASConflict", err)
		}
		if found, _ := b.Exists(ctx, backend.LockKey(key)); !found {
			t.Fatal("a failed cas removed the lock")
		}
		if released, err := b.ReleaseLock(ctx, key, id); err != nil || !released {
			t.Fatalf("ReleaseLock = (%v, %v)", released, err)
		}
	})

	t.Run("OneWinner", func(t *testing.T) {
		t.Parallel()
		key := uniqueKey("lock")
		const contenders = 16
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins []string
		)
		for i := range contenders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := b
				if i%2 == 1 {
					c = other
				}
				id, ok, err := c.AcquireLock(ctx, key, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					wins = append(wins, id)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("%d contenders took the lock, want exactly 1", len(wins))
		}
	})
}
