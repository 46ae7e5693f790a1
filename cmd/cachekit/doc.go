// Command cachekit is the command-line companion of the cachekit-go SDK.
//
//	go run ./cmd/cachekit demo          # what the SDK is for, in a few seconds, no setup
//	cachekit keygen                     # a new CACHEKIT_MASTER_KEY
//	cachekit set -backend redis://localhost:6379/0 greeting hello -ttl 60s
//	cachekit get -backend redis://localhost:6379/0 greeting
//	cachekit inspect -hex 94c412f00168656c6c6f...
//	cachekit key users get_user '[42]'
//
// Subcommands are dispatched by hand, like the go tool's; each one has its own flags,
// which may come before or after its positional arguments ("--" ends the flags, for a
// VALUE that starts with "-"). "cachekit help COMMAND" describes one.
//
// # Contract
//
//   - Exit status 0 means success, 1 a failure (including a miss for get and ttl),
//     2 a usage error: an unknown command or flag, or a missing argument.
//   - Results go to standard output; errors go to standard error as one line
//     ("cachekit COMMAND: cause"). No output ever contains a master key or an API key:
//     the demo prints a key fingerprint only, keygen is the one command that prints key
//     material, on standard output, and every error is scrubbed of the values of
//     CACHEKIT_MASTER_KEY, CACHEKIT_PREVIOUS_MASTER_KEYS and CACHEKIT_API_KEY before it
//     is printed.
//   - Backends are named by URL, with -backend or CACHEKIT_BACKEND_URL: memory:,
//     file:///abs/dir, redis://host:port/db, rediss://..., memcached://host:port[,host:port],
//     https://api.cachekit.io (API key from CACHEKIT_API_KEY), or http://127.0.0.1:port
//     for a local development server. URLs are never repeated in errors, since they may
//     hold passwords.
//   - Values are written as the SDK writes them (one plain MessagePack document);
//     get prints them as JSON, with the typed forms of the protocol's test vectors for
//     what JSON cannot say: {"$bytes": "<hex>"} for bytes, {"$datetime": "<RFC 3339>"}
//     for times, {"$float": "nan"} for non-finite floats. Floats always print with a
//     fraction or exponent (2.0), so they stay apart from integers.
//   - inspect reads untrusted bytes through the protocol's bounded decoders and never
//     decodes a cachekit-py CK frame's payload.
//
// The command's code takes its standard streams and environment as parameters (see
// run), so every subcommand is tested in-process without os.Exit.
package main
