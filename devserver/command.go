package devserver

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/redis"
	"io"
	"os"
	"strings"
	"time"
)

// shutdownGrace is how long Command lets requests in flight finish once its context
// ends.
const shutdownGrace = 5 * time.Second

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(len(*l), " keys") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// Command runs `cachekit serve`: it parses args, starts a server on loopback, prints
// the URL to use (and the API key when it made one up) to stdout, and serves until ctx
// ends, then shuts down gracefully. Flags:
//
//	-addr host:port     listen address (default 127.0.0.1:0, a free port)
//	-api-key key        an accepted API key; repeatable. Default: CACHEKIT_API_KEY,
//	                    else a random ck_live_dev_... key, printed.
//	-max-value-size n   largest value in bytes (default 25 MiB)
//	-lenient-keys       accept keys the hosted service would refuse
//	-allow-remote       allow a listen address that is not loopback
//	-redis URL          keep entries and locks in Redis (redis:// or rediss://)
//	                    instead of process memory
//
// A client reaches it with cachekitio.Options{APIURL: the printed URL, APIKey: the key,
// AllowInsecureLoopback: true}.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cachekit serve", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var (
		keys         stringList
		addr         = fs.String("addr", DefaultAddr, "listen address")
		maxValueSize = fs.Int64("max-value-size", DefaultMaxValueSize, "largest value in bytes")
		lenient      = fs.Bool("lenient-keys", false, "accept keys the hosted service would refuse")
		allowRemote  = fs.Bool("allow-remote", false, "allow a listen address that is not loopback (plain HTTP: keys travel in clear text)")
		redisURL     = fs.String("redis", "", "keep entries and locks in Redis at this redis:// or rediss:// URL instead of process memory")
	)
	fs.Var(&keys, "api-key", "an accepted API key (repeatable); default $CACHEKIT_API_KEY or a random key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("devserver: unexpected arguments %q", fs.Args())
	}
	if *maxValueSize <= 0 {
		return fmt.Errorf("%w: -max-value-size must be positive", ErrInvalidOptions)
	}
	generated := ""
	if len(keys) == 0 {
		if k := strings.TrimSpace(os.Getenv("CACHEKIT_API_KEY")); k != "" {
			keys = append(keys, k)
		} else {
			generated = PrefixLive + "dev_" + rand.Text()
			keys = append(keys, generated)
		}
	}
	var store backend.Backend
	if *redisURL != "" {
		rb, err := redis.New(redis.Options{URL: *redisURL})
		if err != nil {
			return fmt.Errorf("devserver: -redis: %w", err)
		}
		defer rb.Close()
		store = rb
	}
	s, err := New(Options{
		APIKeys:      keys,
		Backend:      store,
		MaxValueSize: *maxValueSize,
		LenientKeys:  *lenient,
		Addr:         *addr,
		AllowRemote:  *allowRemote,
	})
	if err != nil {
		return err
	}
	l, err := s.Listen()
	if err != nil {
		_ = s.Close()
		return err
	}
	fmt.Fprintf(stdout, "cachekit dev server (development and tests only) listening on http://%s\n", l.Addr())
	if generated != "" {
		fmt.Fprintf(stdout, "API key: %s\n", generated)
	}
	fmt.Fprintf(stdout, "connect with CACHEKIT_API_URL=http://%s and cachekitio.Options.AllowInsecureLoopback\n", l.Addr())

	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	select {
	case err := <-served:
		_ = s.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err = s.Shutdown(sctx)
	if serr := <-served; serr != nil && !errors.Is(serr, ErrClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
