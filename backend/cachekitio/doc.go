// Package cachekitio is a cachekit-go backend that stores entries in the hosted
// cachekit.io service through its HTTP API (spec/saas-api.md). It uses only the
// standard library, and builds for GOOS=js, where requests go through the Fetch API.
//
// Backend implements backend.Backend, backend.TTLInspector and backend.Locker, plus
// FreshnessReporter and backend.StatsConsumer for the cachekit client. The API has no batch
// read and no change feed, so BatchGetter and Invalidator are not implemented.
//
// # Requests
//
// Every request goes to {APIURL}/v1/cache/... and carries Authorization: Bearer,
// X-CacheKit-L1-Status (from WithL1Status), the process's X-CacheKit-Session-ID (a
// random UUID) and X-CacheKit-Session-Start (Unix milliseconds), and, once a metrics
// source is installed with SetStatsSource, X-CacheKit-L1-Hits, -L2-Hits, -Misses and
// -L1-Hit-Rate (three decimals) from the caller's real counters.
//
// The key is one path segment: every byte outside A-Z a-z 0-9 - . _ ~ is sent as %HH
// (upper-case hex), exactly once, and the request URL carries that escaped form so the
// url package neither re-encodes nor decodes it. The keys "", ".", "..", "health",
// "ttl" and "lock" would address another route and are refused before any URL is built,
// with an error wrapping ErrReservedKey (and backend.ErrInvalidKey).
//
// Set sends X-CacheKit-TTL in whole seconds: ttl <= 0 is refused (backend.ErrInvalidTTL),
// a fraction of a second rounds up, and more than 30 days is refused (ErrTTLTooLong).
// Lock ids travel in the X-CacheKit-Lock-Id header, never in the URL.
//
// The API answers DELETE and PATCH /ttl with success whether or not the key existed,
// while backend.Backend.Delete and backend.TTLInspector.RefreshTTL report whether it
// did. Delete therefore asks HEAD before its DELETE and RefreshTTL after its PATCH: two
// requests each, and a concurrent writer can make the report stale.
//
// # Freshness and the L1 (for the cachekit client)
//
// GetWithMeta returns, with the value, what the answer's X-CacheKit-Freshness and
// X-CacheKit-Fresh-For headers said. The client's rules, which ResponseMeta.L1TTL
// computes:
//
//   - A stale answer (the header present and not exactly "fresh") is returned to the
//     caller and never put in the L1.
//   - X-CacheKit-Fresh-For bounds the L1 copy to min(local ttl, Fresh-For); 0 means
//     do not put it in the L1; an invalid value reads as 0; an absent header leaves the
//     local ttl.
//   - A value the client wrote itself lives in the L1 at most min(local ttl, the ttl
//     it wrote), counted from when Set returned, or from before the call when Set
//     failed and the client keeps the copy anyway.
//
// The client should also wrap each backend call's context with WithL1Status ("miss"
// after an L1 miss, "hit" or "disabled" as the case may be) and install its counters
// with SetStatsSource.
//
// # Errors
//
// Failures are *backend.Error values; the cause is a *StatusError for an HTTP answer
// (its body cut to 256 bytes and scrubbed of the API key) or wraps one of this
// package's sentinels. 401 and 403 are KindAuthentication; 408, 429 and 5xx
// KindTransient; 413 is permanent and wraps backend.ErrValueTooLarge; every other
// status is KindPermanent, except that 404 on GET, HEAD and GET /ttl is a miss. A
// network failure (refused, reset, DNS, TLS) is KindTransient and an attempt that
// outlives Options.Timeout KindTimeout. A body cut short is ErrTruncatedResponse
// (transient) and a body above the limit ErrResponseTooLarge (permanent); in both cases
// nothing of it is returned. Redirects are never followed: a 3xx answer is ErrRedirect.
// No error, and no formatted Options or Backend, contains the API key.
//
// # Retries
//
// The client retries transient and timeout failures itself, Options.MaxRetries times
// (3 by default), waiting 100 ms doubling up to 5 s with jitter in [0.5, 1.5), or the
// server's Retry-After when it is longer, but never a Retry-After above 5 s (the error
// is returned at once) and never past the context's deadline. Lock requests are never
// repeated. Retries live here rather than only in package reliability because only the
// HTTP layer sees Retry-After and knows which requests are safe to repeat. When the
// backend is wrapped with reliability.New (the production presets), turn one of the
// two retry layers off, or attempts multiply: either set reliability's
// RetryOptions.Disabled and keep these retries (recommended: they honour Retry-After),
// or set Options.MaxRetries to -1 here.
//
// # URL safety
//
// New refuses an APIURL that is not https, that carries user info, a path, a query or a
// fragment, whose host is percent-encoded, has a trailing dot or is a numeric address
// in an unusual spelling (2130706433, 0x7f.1, 0177.0.0.1), or that names an address in
// 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16 and other
// non-public ranges, ::, ::1, fe80::/10, fc00::/7, or an IPv6 form embedding a refused
// IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo). Only api.cachekit.io and
// api.staging.cachekit.io are allowed unless Options.AllowCustomHost; a port other than
// 443 needs it too. With the client's own transport, the resolved addresses of the
// host are checked again when connecting, so a name that resolves to a private address
// is refused as well. Options.AllowInsecureLoopback, which cannot come from the
// environment and logs a warning, admits http and https URLs on loopback for the
// development server of package devserver.
//
// A short example:
//
//	opts, err := cachekitio.FromEnv() // CACHEKIT_API_KEY, CACHEKIT_API_URL, ...
//	if err != nil {
//		return err
//	}
//	b, err := cachekitio.New(opts)
//	if err != nil {
//		return err
//	}
//	defer b.Close()
//	err = b.Set(ctx, "app:greeting", []byte("hello"), time.Minute)
//	v, found, err := b.Get(ctx, "app:greeting")
package cachekitio
