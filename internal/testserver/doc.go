// Package testserver starts real server processes (redis-server, memcached, ...) for
// integration tests, each on a free loopback port with its own temporary directory, and
// stops them when the test ends.
//
// The generic part is Start: pick a free 127.0.0.1 port, start the program in its own
// process group, poll a readiness probe until a deadline, retry on another port when the
// program could not bind (another process took the port in the meantime), and register a
// t.Cleanup that kills the whole process group and waits for it. Server-specific starters
// (StartRedis, StartRedisCluster, StartRedisSentinel, and the memcached starter) build on
// it and live in their own files. OutputBuffer collects what a program under test
// writes while the test reads it.
//
// Contract:
//
//   - Servers only ever listen on 127.0.0.1 and never on a well-known port such as 6379.
//   - Every process started is gone when the test's cleanups have run; nothing is left
//     behind, not even a zombie, so goleak-checked packages may use these helpers.
//   - Kill and Restart are for fault-injection tests and must be called from the test's
//     goroutine (they call t.Fatal on failure).
//   - A missing program fails the test with the install hint (make test installs the
//     servers); CACHEKIT_SKIP_INTEGRATION=1 turns that into a skip for a developer who
//     wants only the unit tests. CI never sets it, so no integration test is skipped there.
//
// This package is internal: its API may change whenever the tests need it to.
package testserver
