// Package bench holds side-by-side benchmarks of cachekit-go against the Go caching
// libraries people use today. It is a separate module so that users of the SDK never
// download the peer libraries; it has no API, only benchmarks in its _test.go files.
//
// Three groups, each measured in one run so the ratios are side by side:
//
//   - BenchmarkL1Get: an in-process hit of a small struct and of a 1 KiB []byte.
//     cachekit (L1 on, memory backend) against otter/v2, ristretto/v2, patrickmn/go-cache,
//     bigcache/v3 and freecache. otter, ristretto and go-cache hold the Go value itself;
//     bigcache and freecache hold bytes, so they store the value encoded with
//     vmihailenco/msgpack and decode it on every hit, which is what cachekit does too
//     (its L1 holds the stored MessagePack bytes). otter+msgpack is that same shape over
//     otter, the floor under cachekit's own L1.
//   - BenchmarkRedis: GET and SET of 1 KiB at 1, 8 and 64 concurrent callers: cachekit with
//     the L1 off over backend/redis, backend/redis alone, go-redis/v9 and rueidis issuing
//     the same commands, and cachekit with the L1 on (GET only) to show the L1's effect.
//   - BenchmarkMemcached: get and set of 1 KiB at 1, 8 and 64 callers: cachekit over
//     backend/memcached against gomemcache.
//
// Sub-benchmarks are named key=value (op=get/par=8/impl=cachekit), so benchstat can put
// implementations side by side: benchstat -col /impl results.txt.
//
// The benchmarks start redis-server and memcached themselves on free loopback ports (never
// 6379), each in a temporary directory, and stop them when the run ends. The variables
// CACHEKIT_BENCH_REDIS_ADDR and CACHEKIT_BENCH_MEMCACHED_ADDR name servers to use instead;
// run.sh sets them so that redis-benchmark measures its ceiling against the same server.
// Keys written all start with "cachekit-bench"; nothing is flushed.
package bench
