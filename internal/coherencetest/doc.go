// Package coherencetest holds the cross-process L1 coherence tests of cachekit-go: two
// operating-system processes share one real redis-server (or a 3-master Redis Cluster),
// one of them reads through a cachekit client with its L1 on, the other writes, and the
// tests check that the reader never serves a stale L1 value once the invalidation of
// that write has been applied. The package has no code of its own, only tests.
//
// # Processes
//
// The test binary re-executes itself (os.Args[0] -test.run=^TestHelperProcess$) as the
// reader, a child process configured by one environment variable. The child holds a
// cachekit client (namespace "app") over backend/redis and obeys one command per line
// on stdin ("get KEY", "set KEY VALUE", "prime KEY", "poll KEY WANT MS",
// "await-evict KEY", "await-inv N", "quit": see protocol_test.go), answering each with one JSON line prefixed "ck-reply " on
// stdout. Whether a Get was answered by the L1 or the backend is read from the client's
// Stats before and after the call; the child runs one command at a time, so the
// difference is exact. The parent process is the writer: its own cachekit client, or
// redis-cli for writes made by a program that knows nothing of cachekit.
//
// # What is asserted, and why it is deterministic
//
// Invalidations travel asynchronously, so "the reader's next Get after the write" is
// not observable as such. Two variants are used.
//
// Poll: the reader has v1 in its L1 (a Get answered by the L1); it then calls Get in a
// loop while the writer changes the key, until it reads the new state (bounded). Every
// result must be the old or the new state, and once the new state was read the old one
// must never come back. The time from the start of the write to the first fresh read is
// reported, never asserted.
//
// Marker: the reader stores a marker key M itself (its own write: no foreign
// invalidation of M can be in flight) and checks that M is in its L1; it caches K. The
// writer changes K, waits for the acknowledgement, then writes M. The reader calls
// Get(M) until it is no longer an L1 hit, then calls Get(K) once: that single read must
// be the new state of K, from the backend. The argument:
//
//  1. The writer sends its write of M only after the server acknowledged its write of K
//     (redis-cli: a second process started after the first exited), so the server
//     executes them in two event-loop iterations, K's first.
//  2. With client tracking, the server queues K's invalidation to the reader's tracking
//     connection in the iteration that ran K's write, hence before M's, and a connection
//     delivers bytes in order. K and M share a hash tag, so in a Cluster they live on the
//     same node and reach the reader over the same connection. On the pub/sub path, the
//     writer pipelines PUBLISH after each write, and a subscriber connection also
//     receives messages in order.
//  3. rueidis hands push messages (invalidate, message) to the callback one after the
//     other on the connection's reading goroutine, and the client applies each to its
//     L1 synchronously; so when M's entry has left the L1, K's invalidation has been
//     applied already.
//  4. Nothing but an invalidation of M or a flush-all (FLUSHALL, a broken connection)
//     removes M from the L1 within the test (its lifetime is minutes, the L1 is far from
//     full), and a flush-all removes K as well. The reader reads nothing else in between.
//
// Hence Get(K) misses the L1 and returns what the server holds: the value written after
// v1, or a miss after a Delete or FLUSHALL.
//
// Own writes: the reader's own Set must stay in its L1. On a reader that has seen no
// foreign write yet, the reader sets K and reads it from its L1; the parent then writes
// a fresh key F that the reader never cached, and the reader waits until its count of
// applied invalidations (Stats().InvalidationsReceived) has grown by one. By points 1 to
// 3, an echo of the reader's write of K, had the server sent one, reached the reader
// before F's invalidation; an echo without the reader's origin would also have been
// counted. K must still be an L1 hit, and exactly one invalidation must have been
// applied. The marker variant relies on this property (the reader's own write of M stays
// in its L1), which is why it is tested on its own.
//
// The rounds are shown able to fail: TestCoherenceCanFail starts readers with a fault
// injected (writes without their origin; invalidations of some keys applied late, out of
// order) and checks that the round aimed at each fault fails with the expected
// diagnosis. The poll variant alone would not catch the second fault.
//
// Scenarios: Set and Delete from another Go process over client tracking, over the
// pub/sub fallback (forced on both sides) and on a 3-master Cluster; SET and DEL from
// redis-cli, with values as MessagePack bytes on its stdin (redis-cli -x); FLUSHALL; a
// server restart (the reader's L1 is emptied when its tracking connection breaks, or at
// the latest when it resubscribes, then it reads the value written to the restarted
// server; each restart round first waits until the reader has resubscribed, and Gets
// that fail while connections are re-established are retried); own writes on every
// deployment. Child processes must exit with status 0 when told to quit, which includes
// passing goleak in the child.
package coherencetest
