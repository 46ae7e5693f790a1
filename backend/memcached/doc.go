// Package memcached is the cachekit-go L2 backend for memcached, on one server or many,
// built on github.com/bradfitz/gomemcache.
//
//	b, err := memcached.New(memcached.Options{Servers: []string{"10.0.0.1:11211", "10.0.0.2:11211"}})
//	if err != nil { ... }
//	defer b.Close()
//	err = b.Set(ctx, "myapp:greeting", []byte("hello"), time.Minute)
//
// A *Backend implements backend.Backend and the optional backend.BatchGetter (one
// multi-key get per server), backend.TTLInspector and backend.Locker, and passes the
// backendtest conformance suite. It follows the conventions cachekit-py and cachekit-rs
// use on memcached, so that the SDKs share entries:
//
//   - Servers. Keys are spread over the servers by rendezvous (highest random weight)
//     hashing with murmur3, node names "host:port", exactly as cachekit-py's pymemcache
//     HashClient does. Go and Python clients configured with the same server list send
//     every key to the same server; adding a server moves only the keys it wins (about
//     1/(n+1) of them) and removing one moves only its own.
//
//   - Keys. memcached accepts 1 to 250 bytes of printable ASCII without spaces
//     (0x21-0x7e). Other keys are refused with an error wrapping backend.ErrInvalidKey
//     before anything is sent; they are never hashed or rewritten to fit, as neither
//     cachekit-py nor cachekit-rs does, because a rewritten key would name a different
//     entry than the other SDKs read. cachekit clients accept longer keys and spaces, so
//     choose namespaces and keys that fit when the L2 is memcached, or use interop/v1
//     keys, which always do.
//
//   - Lifetimes. A ttl <= 0 is refused (backend.ErrInvalidTTL); a positive ttl is
//     rounded up to whole seconds. memcached's clock ticks once a second and expires an
//     entry when it reaches the entry's expiration, so an entry written for N seconds may
//     vanish up to a second early: the backend asks for N+1 seconds, so entries live at
//     least their ttl and at most a second longer. The result is clamped to 30 days
//     (MaxTTL), because memcached reads any larger number as an absolute Unix time, which
//     would expire the entry at once; a 31-day ttl is therefore stored for 30 days.
//
//   - Values. memcached's item size limit (-I, 1 MiB by default; Options.MaxItemSize)
//     covers a 59-byte item header and the key as well as the value, so Set accepts
//     values of at most MaxItemSize - ItemOverhead bytes (1048262 by default), which fit
//     with any key, and refuses longer ones before sending, with a permanent error
//     wrapping backend.ErrValueTooLarge; the entry stored before is kept. The server's
//     "SERVER_ERROR object too large for cache" (when MaxItemSize is set above the
//     server's real limit) maps to the same permanent error, but memcached then drops
//     the key's previous entry itself. Values are stored with flags 0 and read back as
//     raw bytes, as cachekit-py stores them.
//
//   - Errors. Every failure is a *backend.Error. Connection refused or reset, end of
//     stream and other I/O failures are KindTransient; connect and read/write deadlines
//     (gomemcache's ConnectTimeoutError, a net.Error whose Timeout is true) are
//     KindTimeout; CLIENT_ERROR, unknown-command ERROR and unparseable replies are
//     KindPermanent. SERVER_ERROR replies other than "object too large" (such as "out of
//     memory storing object") are KindTransient, as cachekit-py and cachekit-rs classify
//     them. Server reply text that gomemcache quotes in its errors is never passed on
//     (after a desynchronised read it could hold value bytes): the cause is a
//     *ServerError with the server's own message, or ErrMalformedResponse.
//
//   - Exists uses the meta command "mg <key>", which neither sends the value nor changes
//     the entry's lifetime (touch would), falling back to a get on servers older than
//     memcached 1.6.
//
//   - TTLInspector. TTL reads the remaining lifetime with "mg <key> t", which needs
//     memcached 1.6 or newer; older servers make it fail with ErrMetaUnsupported.
//     RefreshTTL uses touch. cachekit-py's and cachekit-rs's memcached backends offer no
//     TTL capability (pymemcache has no meta protocol), so this one is Go-only; it reads
//     what any SDK wrote.
//
//   - Locker. AcquireLock creates backend.LockKey(key) with add (atomic create if absent)
//     holding a random id, expiring after the lock's timeout. ReleaseLock reads the lock
//     with gets and, if it still holds the caller's id, replaces it through cas (which
//     fails if anyone wrote it since the read) by an entry with a negative expiration,
//     which memcached stores as already expired: an atomic compare-and-delete that works
//     on every memcached version. A lock that expired and was taken by someone else is
//     never released by its former holder.
//
// Contexts. gomemcache has no context support, so for Get, Set, Delete, GetMany,
// RefreshTTL and the lock calls the context is checked before the call and after it: a
// context that is done when the call starts fails it at once, and a context that ends
// during the call is reported (an error wrapping ctx.Err()) when the call returns, which
// is after at most Options.Timeout per network step (connect, write, read; a multi-key
// get extends the read deadline per item). Cancellation does not interrupt those calls
// sooner, and an operation already sent may have taken effect. Exists, TTL and Health run
// on the package's own connections and honour the context fully: each exchange is
// bounded by the sooner of Options.Timeout and the context's deadline, and cancellation
// aborts it at once.
//
// Connections. Each server gets up to Options.MaxIdleConns idle connections for reuse
// (gomemcache's pool), plus as many for the meta and version commands. A connection that
// failed is closed; after a server restart each stale idle connection fails one call
// with a transient error before fresh ones are dialled, which the reliability layer's
// retry absorbs. New never connects, so it succeeds while servers are down.
package memcached
