package main

import (
	"context"
	"errors"
	"flag"

	"github.com/cachekit-io/cachekit-go/devserver"
)

var serveCommand = &command{
	name:    "serve",
	args:    "[-addr host:port] [-api-key KEY]... [-max-value-size N] [-lenient-keys] [-allow-remote] [-redis URL]",
	summary: "run a local cachekit.io-compatible server (development only)",
	help: `Serve runs the development server of package devserver: the cachekit.io HTTP API
over an in-process store (or Redis, with -redis), on loopback, until interrupted. It prints its URL and, when
it made one up, the API key to use. Then, in another shell:

	export CACHEKIT_API_KEY=<the printed key>
	cachekit set -backend http://127.0.0.1:PORT greeting hello
	cachekit get -backend http://127.0.0.1:PORT greeting

Flags:
  -addr host:port      listen address (default 127.0.0.1:0, a free port)
  -api-key KEY         an accepted API key, repeatable (default $CACHEKIT_API_KEY, else a random one)
  -max-value-size N    largest value in bytes (default 25 MiB)
  -lenient-keys        accept keys the hosted service would refuse
  -allow-remote        allow a listen address that is not loopback (plain HTTP)
  -redis URL           keep entries and locks in Redis (redis:// or rediss://)

It is not the hosted service: nothing is durable and there is no TLS.`,
	run: func(ctx context.Context, e *env, args []string) error {
		for _, a := range args {
			if a == "--" {
				break
			}
			if a == "-h" || a == "-help" || a == "--help" {
				return flag.ErrHelp
			}
		}
		err := devserver.Command(ctx, args, e.stdout)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	},
}
