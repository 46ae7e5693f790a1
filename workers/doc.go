// Command workers runs the cachekit-go client inside a Cloudflare Worker: a Go program
// built with GOOS=js GOARCH=wasm, loaded by the ES module worker worker.mjs, that caches
// through cachekit.io with the client's L1 in the isolate's memory.
//
// # How it runs
//
// worker.mjs imports Go's wasm_exec.js (copied from $(go env GOROOT)/lib/wasm at build
// time, never committed) and the compiled cachekit.wasm module. On the first request it
// starts the Go program with the Worker's string bindings whose names start with
// CACHEKIT_ as the program's environment; it cannot start earlier, because a Worker's
// global scope may not generate random values or set timers, and the Go runtime does
// both as it starts. main builds one cachekit.Client over backend/cachekitio, registers
// the request handler as the global function __cachekitHandle(method, target, body),
// which returns a Promise of {status, headers, body}, and then blocks in select {} so
// the program, its L1 and its goroutines live as long as the isolate. Every later
// request calls the same handler: the L1 is shared by all requests the isolate serves.
// HTTP calls go through net/http, whose js/wasm transport uses the runtime's fetch.
//
// # Bindings
//
//   - CACHEKIT_API_KEY (required): the bearer token for the API.
//   - CACHEKIT_API_URL: the API's base URL (https; see package cachekitio), or
//   - CACHEKIT_DEV_SERVER_URL: the URL of a development server on loopback (package
//     devserver, `cachekit serve`). It sets cachekitio.Options.AllowInsecureLoopback,
//     so it accepts http, and only loopback addresses. Setting both is an error.
//   - CACHEKIT_MASTER_KEY: the hex master key of the /secure routes; without it they
//     answer 501.
//   - Every other variable cachekit.FromEnv and cachekitio.FromEnv read
//     (CACHEKIT_NAMESPACE, CACHEKIT_DEFAULT_TTL, CACHEKIT_TIMEOUT, ...).
//
// # Routes
//
//	PUT    /kv/{key}[?ttl=SECONDS]  store the body (a MessagePack string when it is UTF-8, else binary)
//	GET    /kv/{key}                the value; X-Cachekit-Source says "l1" or "backend"
//	DELETE /kv/{key}                {"deleted": bool}
//	PUT    /secure/{key}            as /kv, through Client.Secure (the API sees ciphertext)
//	GET    /secure/{key}
//	DELETE /secure/{key}
//	GET    /stats                   the client's counters (Client.Stats) as JSON
//	GET    /health                  the backend's health
//
// The key is the path segment after the route, percent-decoded once. Errors answer
// JSON {"error": message, "kind": kind} with a status from the error's kind: 400 for a
// bad key or TTL, 413 for a value above the payload limit, 502 when the API refuses
// the credentials or the request, 503 when it is unavailable, 504 on a timeout.
//
// Built for another platform, the program only says that it needs js/wasm. The test
// workerd_test.go builds it, starts a devserver on loopback and runs it in the real
// workerd runtime; see README.md.
package main
