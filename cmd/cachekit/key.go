package main

import (
	"context"
	"fmt"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

var keyCommand = &command{
	name:    "key",
	args:    "NAMESPACE OPERATION ARGS_JSON",
	summary: "print the interop/v1 cache key of a call",
	help: `Key prints the interop/v1 key {namespace}:{operation}:{blake2b-256 of the
canonical arguments}, the key format every cachekit SDK (Python, Rust, TypeScript,
Go) computes the same way, so you can check from the shell that two SDKs agree.

ARGS_JSON is a JSON array of the call's arguments, in order. JSON lacks some of the
protocol's types, so they are written as tagged objects, as in the protocol's test
vectors: {"$int": "18446744073709551615"}, {"$float": "2.0"}, {"$bytes": "<hex>"},
{"$datetime": "2024-01-01T00:00:00+00:00"}, {"$uuid": "..."}, {"$set": [...]}.
A bare JSON number with a fraction or exponent is a float, any other an integer.

Example: cachekit key users get_user '[42]'`,
	run: func(_ context.Context, e *env, args []string) error {
		pos, err := parseArgs(newFlagSet("key"), args)
		if err != nil {
			return err
		}
		if len(pos) != 3 {
			return usagef("expected NAMESPACE OPERATION ARGS_JSON, got %d argument(s)", len(pos))
		}
		key, err := interopKey(pos[0], pos[1], pos[2])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, key)
		return nil
	},
}

// interopKey computes the interop/v1 key of a call whose arguments are the tagged JSON
// array argsJSON.
func interopKey(namespace, operation, argsJSON string) (string, error) {
	if err := cachekey.Validate(namespace, operation); err != nil {
		return "", err
	}
	v, err := parseTagged(argsJSON, forKeyArgs)
	if err != nil {
		return "", &usageError{msg: "ARGS_JSON: " + err.Error()}
	}
	list, ok := v.([]any)
	if !ok {
		return "", &usageError{msg: "ARGS_JSON must be a JSON array of the arguments, such as [42] or []"}
	}
	return cachekey.Interop(namespace, operation, list...)
}
