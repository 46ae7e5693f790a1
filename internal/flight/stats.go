package flight

import "sync/atomic"

// Stats is a snapshot of a Group's counters, all counted since New.
type Stats struct {
	// Loads is how many times a load function ran.
	Loads uint64
	// Shared is how many Do calls returned a value or error they did not load
	// themselves: they joined another caller's flight in this process, or their flight
	// found the value another process stored.
	Shared uint64
	// Found is how many flights ended with a value their check function read from the
	// cache instead of loading it.
	Found uint64
	// Canceled is how many Do calls returned early because their own context ended.
	Canceled uint64
	// LockAcquired is how many times a flight took the distributed lock.
	LockAcquired uint64
	// LockContested is how many flights found the lock held by someone else and waited.
	LockContested uint64
	// LockErrors is how many flights loaded without the lock because acquiring it
	// failed.
	LockErrors uint64
	// LockLost is how many releases found the lock already expired (the load outlived
	// LockTimeout) or taken by another holder.
	LockLost uint64
	// ReleaseErrors is how many lock releases failed.
	ReleaseErrors uint64
	// WaitTimeouts is how many flights stopped waiting for another process after
	// WaitTimeout and loaded themselves.
	WaitTimeouts uint64
	// Panics is how many load or check calls panicked.
	Panics uint64
}

// counters holds the live values behind Stats.
type counters struct {
	loads, shared, found, canceled          atomic.Uint64
	lockAcquired, lockContested, lockErrors atomic.Uint64
	lockLost, releaseErrors, waitTimeouts   atomic.Uint64
	panics                                  atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Loads:         c.loads.Load(),
		Shared:        c.shared.Load(),
		Found:         c.found.Load(),
		Canceled:      c.canceled.Load(),
		LockAcquired:  c.lockAcquired.Load(),
		LockContested: c.lockContested.Load(),
		LockErrors:    c.lockErrors.Load(),
		LockLost:      c.lockLost.Load(),
		ReleaseErrors: c.releaseErrors.Load(),
		WaitTimeouts:  c.waitTimeouts.Load(),
		Panics:        c.panics.Load(),
	}
}
