// Package l1 is the in-process first cache level of the cachekit client: a bounded,
// concurrent map from keys to encoded values, built on otter (W-TinyLFU eviction,
// per-entry expiry).
//
// The cache stores the bytes exactly as the level below holds them (plain MessagePack,
// a ByteStorage envelope or AES-GCM ciphertext). It never sees decoded values, so an
// encrypting client keeps only ciphertext in memory. Each entry carries its own
// lifetime, its insertion time, a jitter factor drawn once in [0.9, 1.1) for
// stale-while-revalidate decisions, and a version number.
//
// # Contract
//
//   - The bytes of an Entry belong to the cache once stored: callers must not modify a
//     slice after passing it to Store or Backfill, nor the Value of an Entry returned by
//     Get.
//   - Get costs one otter lookup, which also checks the entry's expiry; nothing else.
//   - Capacity counts entries. With a byte budget (Options.MaxBytes) every entry weighs
//     max(len(key)+len(value), ceil(MaxBytes/Capacity)) against a maximum weight of
//     MaxBytes, so both bounds hold at once: the stored bytes never exceed the budget and
//     the entry count never exceeds the capacity. Small entries are charged the floor,
//     so a budget much larger than Capacity times the typical entry leaves the entry
//     count as the binding limit.
//
// # Coherence
//
// Every key maps to a generation counter (a fixed table of striped counters, so two keys
// may share one; a shared counter only makes the cache more cautious). Invalidate
// advances the generation and removes the entry. A reader that misses takes
// Generation(key) before it asks the level below, then calls Backfill with that
// generation: the value enters the cache only if no invalidation or write touched the
// key in between, so an invalidation that races a backfill can never leave a stale
// value behind. Writers do the same with Store, which replaces the entry when the
// generation is unchanged and removes it otherwise (two racing writes leave no entry
// rather than possibly the older one). The check and the write happen atomically under
// otter's per-key lock.
//
// SuspendWrites makes the cache refuse new entries while reads go on: the client calls
// it when its invalidation stream is down (it could not keep new entries coherent), then
// empties the cache with InvalidateAll; when the stream is back it empties the cache
// again and calls ResumeWrites. A Backfill of a value read before either flush gives way
// by its generation.
//
// Filtering a process's own invalidation echoes (by origin) is the caller's job: the
// cache only offers Invalidate.
package l1
