// Package cachekit is the Go SDK for cachekit.io: a cache client with an in-process L1
// in front of a pluggable L2 backend (memory, file, Redis, Memcached, cachekit.io),
// optional zero-knowledge encryption, and wire compatibility with the cachekit SDKs for
// Python, Rust and TypeScript.
//
// Quick start:
//
//	c, err := cachekit.New(cachekit.Options{Namespace: "myapp"}) // in-process backend
//	defer c.Close()
//	err = c.Set(ctx, "greeting", "Hello, world!", cachekit.WithTTL(time.Minute))
//	msg, found, err := cachekit.Get[string](ctx, c, "greeting")
//	sec, err := c.Secure() // with Options.MasterKey or CACHEKIT_MASTER_KEY
//
// # Contract
//
// Keys are 1 to 1024 bytes without control bytes; the backend stores them as
// "{namespace}:{key}" when a namespace is set. Values are stored as one MessagePack
// document (structs as maps by field name) or, with ContainerEnvelope, in the ByteStorage
// envelope; a reader uses its configured container and reports any other one it meets
// (including cachekit-py's CK frames) as a KindSerialization error, never as a value.
// Reads return (value, found, err): a miss is found == false with a nil error.
//
// Every entry expires: a TTL of zero or less is an error, sub-second TTLs round up to one
// second, and the default is 300 s.
//
// The L1 is write-through. Set writes the backend first and then the L1, only if the
// backend accepted the value; a read that misses the L1 backfills it for
// min(DefaultTTL, 30 s); Delete drops the L1 copy before asking the backend, so it is
// gone even when the backend fails. When the backend reports invalidations
// (backend.Invalidator), every client drops its L1 copy of a key another client
// changed. The L1 holds stored bytes, not decoded values, so an encrypting client's L1
// holds only ciphertext.
//
// Encryption is explicit: Client.Secure returns a handle that encrypts everything it
// writes, and Options.Encrypt (the secure preset) makes the whole client do so. A master
// key in the configuration or environment alone never turns it on. A value that fails to
// decrypt is a KindEncryption error, never a miss and never a wrong value.
//
// Every error is an *Error with a Kind; errors.Is matches the sentinel of its kind
// (ErrInvalidKey, ErrEncryption, ...). No error message contains a value or key
// material, and Secret keeps master keys out of formatted output.
//
// Memoize, Memoize1, Memoize2 and Memoize3 cache a function's results under the
// interop/v1 key the other SDKs compute, with single-flight, stale-while-revalidate and
// fail-open rules. Options.Reliability (on in the production, secure and io presets)
// wraps the backend in package reliability's retry, circuit breaker and backpressure.
// IOOptions and NewFromEnv build the cachekit.io backend (package backend/cachekitio).
package cachekit
