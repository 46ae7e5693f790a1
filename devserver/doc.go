// Package devserver is a local server that speaks the cachekit.io HTTP API, for
// development and tests only. It is not the hosted service: it keeps no durable data
// by default, speaks plain HTTP, and listens on loopback unless told otherwise.
//
// It implements the contract of spec/saas-api.md over any backend.Backend that also
// implements backend.Locker (an in-process store from package memory by default):
//
//   - Every request except OPTIONS (answered 204 first) needs Authorization: Bearer
//     with one of Options.APIKeys, else 401. Keys are classed by prefix as on the
//     service: ck_sdk_ keys must send X-CacheKit-L1-Status (hit, miss or disabled,
//     else 400) and may not change nsapi: keys; ck_api_ keys may not change ns: keys
//     (403); ck_live_ keys may do both.
//   - Routes: GET, HEAD, PUT, DELETE /v1/cache/{key}; GET, PATCH /v1/cache/{key}/ttl;
//     POST, DELETE /v1/cache/{key}/lock; GET /v1/cache/health. Another method is 405
//     with an Allow header. The path is split on "/" before the key segment is
//     percent-decoded exactly once; dot segments and empty or reserved keys are 400.
//     Keys follow the service's rules (see Options.LenientKeys).
//   - PUT stores the body with X-CacheKit-TTL seconds (1 to 2,592,000; the legacy
//     X-TTL when it is absent; neither means no expiry) and an optional
//     X-CacheKit-Stale-TTL window. A body above Options.MaxValueSize is 413, refused
//     from Content-Length or while reading, never buffered whole.
//   - Times are whole seconds: fresh_until = floor(now) + ttl and evict_at =
//     fresh_until + stale_ttl, by Options.Now (Options.ExactTimes drops the floor). GET and HEAD answer 200 with
//     X-CacheKit-Freshness: fresh before fresh_until, stale until evict_at, and 404
//     after. GET adds X-CacheKit-Fresh-For, the whole seconds of freshness left (0 when
//     stale), except for entries with no expiry.
//   - GET /ttl is the seconds to evict_at rounded up, or null for no expiry, or 404.
//     PATCH /ttl {"ttl": N} renews a fresh entry to floor(now) + N keeping its stale
//     window, is 409 for a stale entry, and is a 200 no-op for an absent key.
//   - DELETE answers {"success": true} whether or not the key existed. Locks: POST
//     {"timeout_ms": N} answers {"lock_id": id} or {"lock_id": null}; DELETE with
//     X-CacheKit-Lock-Id answers {"success": true} when that id held the lock and
//     {"success": false} otherwise.
//   - Health answers {"status": "ok", "cache_entries": n, "active_locks": n}.
//   - Every answer carries Cache-Control: no-store and Vary: Authorization. A store
//     outage is 503 with Retry-After; other store failures are 500.
//
// Run it from a test with httptest:
//
//	srv, err := devserver.New(devserver.Options{APIKeys: []string{"ck_live_test"}})
//	...
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	defer srv.Close()
//	b, err := cachekitio.New(cachekitio.Options{APIURL: ts.URL, APIKey: "ck_live_test", AllowInsecureLoopback: true})
//
// or from the command line with `cachekit serve` (see Command).
package devserver
