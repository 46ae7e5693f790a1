// Package backendtest is the conformance suite every cachekit-go backend runs: one call
// checks the backend.Backend contract and each optional capability (TTLInspector,
// Locker, Invalidator, BatchGetter) the backend implements.
//
// A backend author calls Run from an ordinary test, with a function that makes a
// backend for one subtest and an Options value stating the backend's documented facts:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.Backend {
//			b, err := mybackend.New(mybackend.Options{Dir: t.TempDir()})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { b.Close() })
//			return b
//		}, backendtest.Options{MaxValueSize: mybackend.DefaultMaxValueSize})
//	}
//
// The function may return a fresh backend on every call or one shared by all of them,
// such as a client of the one Redis server the package's tests started. The suite
// therefore never assumes an empty store: every key it writes comes from UniqueKey, the
// subtest's name plus a random suffix. Set Options.SharedStore when separate backends
// see the same data, so that the suite also checks that.
//
// Each check is a parallel subtest named "Group/Check" (for example "TTL/Expiry" or
// "Locker/Expires"), so that the few checks that wait for real time, an entry or a lock
// expiring, overlap; run one with go test -run 'TestConformance/TTL/Expiry'. Waits poll
// with a deadline derived from Options.TTLResolution; nothing relies on a fixed sleep.
// Checks of a capability the backend does not implement are skipped with a message
// saying so, as are the two checks that test a fact Options leaves out (a value-size
// limit, a shared store); no other rule is ever skipped.
//
// What the suite holds a backend to, beyond the package backend documentation:
//
//   - An entry is readable right after Set, even with a one-nanosecond ttl.
//   - A 30-day ttl is accepted. A longer one is either stored and readable or refused
//     with a permanent error, never accepted and lost at once.
//   - A failed Set (invalid ttl, value too large, done context) changes nothing already
//     stored; a call with a done context returns a *backend.Error matching the
//     context's error.
//   - The stop function of SubscribeInvalidations may be called more than once.
//   - Lock ids are never reused, and the lock for key is an ordinary entry under
//     backend.LockKey(key) exactly when Options.LocksAreKeys says so.
//
// UniqueKey and Eventually are exported for a backend's own tests.
package backendtest
