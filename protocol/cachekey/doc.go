// Package cachekey builds interop/v1 cache keys, the one key format cachekit SDKs share
// (spec/interop-mode.md):
//
//	{namespace}:{operation}:{hex(BLAKE2b-256(canonical_args))}
//
// canonical_args is the canonical MessagePack (package codec) of one flat array of the
// call's arguments, each mapped onto a closed data model: integers, finite floats
// (integral ones collapse to integers), valid UTF-8 strings, bytes, bools, nil, lists,
// string-keyed maps, sets, UUIDs and times. Anything outside it is an error, never a
// silent coercion, because a value that hashes differently on two SDKs is a silent
// cache miss. The rules in detail are on CanonicalArgs.
//
// # Contract
//
//   - Interop and CanonicalArgs are pure functions of their inputs: the same namespace,
//     operation and argument values give the same key in every process and in every
//     SDK that implements interop/v1 (the published vectors prove it). They do not
//     modify their arguments and are safe for concurrent use.
//   - Namespace and operation are checked, never normalised: each must fully match
//     ^[a-z0-9][a-z0-9._-]{0,63}$ and contain no ".."; the namespace may not be "ns" or
//     "nsapi". Validate runs the same checks up front.
//   - Every error is a *KeyError wrapping one of the Err* sentinels. It names where the
//     problem is (namespace, operation, or an argument path such as args[1][0]) and the
//     Go type involved, never an argument's value.
//   - Go values have no keyword arguments or defaults: the argument list is exactly the
//     values passed, in order. Agree on that list, and the operation name, with the other
//     SDKs that share the keys.
//
// # Go-specific choices
//
//   - time.Time always carries a zone, so every time.Time is an aware datetime and is
//     accepted; a zone-less wall-clock value (Python's naive datetime) has no
//     time.Time form, and such types (civil.DateTime and other structs) are refused.
//     The timestamp is the instant's, whatever the zone: the same instant in UTC and
//     in +05:30 gives the same key.
//   - A nil slice or map is an empty list or map; a nil pointer or interface is nil.
//   - [16]byte and named types of that shape (UUID here, github.com/google/uuid.UUID)
//     are UUIDs; other byte arrays and byte slices are bytes.
//   - Integers beyond 64 bits can be passed as *big.Int; outside [-2^63, 2^64-1] they
//     are ErrOutOfRange.
//   - Go's map[T]struct{} is not a set here: use Set.
//
// cachekit-py's own default keys (ns:...:func:...:args:...) are Python-only; this
// package does not produce them.
package cachekey
