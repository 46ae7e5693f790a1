// Package redis is the cachekit-go backend for Redis: standalone servers, Sentinel-managed
// masters and Redis Cluster, through the rueidis client (auto-pipelining, RESP3).
//
//	b, err := redis.New(redis.Options{Addrs: []string{"localhost:6379"}})
//	// or redis.New(redis.Options{URL: "rediss://user:pass@cache.example.com:6380/0"})
//	defer b.Close()
//
// # Contract
//
// Backend implements backend.Backend and the optional backend.TTLInspector,
// backend.BatchGetter, backend.Locker and backend.Invalidator; it follows every rule of
// package backend. The commands are those every cachekit SDK uses, so Python, Rust and
// TypeScript processes share the same keys:
//
//   - Set is SET key value EX secs, secs = ttl rounded up to whole seconds, at least 1.
//   - Delete is DEL (deleted = a key was removed); Exists is EXISTS; Health is PING.
//   - TTL is the TTL command (-1 = backend.NoExpiry, -2 = not found); RefreshTTL is EXPIRE.
//   - GetMany is MGET, split by hash slot in a Cluster and pipelined.
//   - AcquireLock is SET {key}:lock <random id> NX PX <ms>; ReleaseLock runs a Lua script
//     that deletes the lock only while it still holds that id, so a holder whose lock
//     expired never releases someone else's.
//
// Values returned by Get and GetMany belong to the caller. New dials at construction and
// fails when the deployment is unreachable. Every operation is bounded by the caller's
// context and by Options.ReadTimeout or WriteTimeout, whichever ends first. rueidis'
// own retries are off: retrying is the job of the reliability middleware.
//
// # Errors
//
// Failures are *backend.Error values: connection and I/O errors are KindTransient, as are
// server answers asking to back off (LOADING, BUSY, TRYAGAIN, CLUSTERDOWN, MASTERDOWN,
// READONLY, OOM); deadlines (context or I/O) are KindTimeout; WRONGPASS, NOAUTH and NOPERM
// are KindAuthentication; everything else, including a server certificate that does not
// verify, is KindPermanent. A cancelled context stays
// reachable with errors.Is(err, context.Canceled). MOVED and ASK redirections are
// followed by rueidis. Passwords never appear in errors, nor in the %v output of Options
// or Backend.
//
// # Invalidation
//
// SubscribeInvalidations keeps a process's L1 coherent with writes made elsewhere. It has
// two paths, chosen by Options.Invalidation (InvalidationAuto by default):
//
//   - Client tracking (preferred): a dedicated RESP3 connection per node runs CLIENT
//     TRACKING ON BCAST PREFIX <prefix> NOLOOP and receives the server's invalidate push
//     messages. It sees every write to a key under the prefix, whoever made it: other
//     cachekit processes, other SDKs, redis-cli, and keys expiring or being evicted. In a
//     Cluster each node tracks its own keys, so there is one connection per node.
//   - Pub/sub (fallback, when the server or connection cannot push RESP3 messages, or when
//     forced with InvalidationPubSub): the backend subscribes to Options.InvalidationChannel
//     (DefaultInvalidationChannel), and cachekit-go writers PUBLISH {"key":...,"origin":...}
//     there after each Set and Delete, pipelined with the write. A backend publishes while
//     it has a pub/sub subscription, or always with Options.PublishInvalidations, which
//     every process of a fleet that uses this path must set. Writes from programs that do
//     not publish (redis-cli, other SDKs) are not seen.
//
// An Invalidation with an empty Key means "evict every entry under the prefix". It is
// delivered when notifications may have been lost — the tracking or pub/sub connection
// broke, was re-established (after it is), or the server flushed its keyspace (a null
// invalidate message) — since nothing else can tell which keys changed meanwhile. The
// flush-all sent when the connection broke has Invalidation.Disconnected set, and so has
// any other flush-all until the subscription is back; the reconnection's flush-all, sent
// once the new connection delivers, has it unset. Both go through the subscription's
// delivery lock, and the recovery is sent only after the loss was, so the subscriber
// always sees an outage start before it ends.
//
// Own writes: a write whose context carries backend.WithOrigin(ctx, id) must not evict the
// fresh L1 entry its writer has just stored. The server knows nothing of origins, and its
// NOLOOP option only suppresses notifications for writes made on the tracking connection
// itself, while rueidis pipelines ordinary commands over other connections. So such a
// write to a tracked key is sent over the tracking connection of the node that owns the
// key: the server then does not echo it (NOLOOP, attributed per key to the last writer,
// so a foreign write after ours in the same event-loop batch is still reported), and the
// backend tells its own subscriber locally, with Invalidation.Origin = id. Other
// subscriptions of the same backend, on their own connections, receive the server's
// echo without an origin. On the pub/sub path the origin travels in the message.
// Writes without an origin take the ordinary pipelined path and come back without one.
//
// Staleness: without an invalidator, a process's L1 may serve a value changed elsewhere
// for as long as its L1 entry lives (the backfill TTL, min(DefaultTTL, 30 s) in cachekit).
// With one, the window is normally one server-to-client delivery; what remains is bounded
// by the L1 TTL: a Get racing with a foreign write may backfill the old value after the
// invalidation arrived (the client's L1 versioning closes this), and while a connection is
// down nothing arrives until the reconnection's flush-all (the cachekit client stops
// filling its L1 from the Disconnected flush-all until then, so what remains is the time
// the backend takes to notice the broken connection). On the pub/sub path, writers that
// do not publish are never seen, so their changes are bounded by the L1 TTL only.
//
// Reconnection: broken tracking or pub/sub connections are reopened with backoff (50 ms
// doubling to 2 s) and a flush-all without Disconnected follows. Every goroutine of a
// subscription ends when its stop function returns or the Backend is closed.
package redis
