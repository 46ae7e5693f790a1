package memory

import "time"

// janitor removes expired entries every interval until Close. It sweeps only the
// shards whose earliest expiry has passed, one shard lock at a time, so writers wait at
// most for one shard's sweep.
func (b *Backend) janitor(interval time.Duration) {
	defer close(b.janitorDone)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-b.janitorStop:
			return
		case <-tick.C:
			b.removeAllExpired()
		}
	}
}

// removeAllExpired sweeps every shard that may hold an expired entry.
func (b *Backend) removeAllExpired() {
	now := b.nowNano()
	for i := range b.shards {
		if s := &b.shards[i]; s.mayHoldExpired(now) {
			b.count.Add(-int64(s.sweep(now)))
		}
	}
}
