package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
)

// defaultTimeout bounds one data command, connection included.
const defaultTimeout = 10 * time.Second

// dataFlags are the flags every data command (get, set, del, ttl, exists) shares.
type dataFlags struct {
	backendURL string
	namespace  string
	secure     bool
	timeout    time.Duration
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.backendURL, "backend", "", "backend `URL` (default $"+envBackendURL+")")
	fs.StringVar(&f.namespace, "namespace", "", "key namespace; stored keys are NAMESPACE:KEY (default $"+cachekit.EnvNamespace+", else none)")
	fs.BoolVar(&f.secure, "secure", false, "encrypt and decrypt with the master key in $"+cachekit.EnvMasterKey)
	fs.DurationVar(&f.timeout, "timeout", defaultTimeout, "time limit of the whole command")
}

// store is what the data commands need from a Client or a SecureClient.
type store interface {
	cachekit.Cache
	TTL(ctx context.Context, key string) (time.Duration, bool, error)
}

// session is an open client for one data command.
type session struct {
	client *cachekit.Client
	store  store
	prefix string // "{namespace}:" or ""
	b      backend.Backend
}

// openSession connects to the backend the flags name and builds a client over it, with
// the L1 off (a one-shot command has nothing to keep) and the CACHEKIT_* variables
// applied as in any program using cachekit.NewFromEnv.
func openSession(e *env, f *dataFlags) (*session, error) {
	rawURL := f.backendURL
	if rawURL == "" {
		rawURL = e.getenv(envBackendURL)
	}
	if rawURL == "" {
		return nil, errNoBackend
	}
	opts, err := cachekit.LoadEnv(e.lookup)
	if err != nil {
		return nil, err
	}
	b, err := openBackend(e, rawURL)
	if err != nil {
		return nil, err
	}
	opts.Backend = b
	opts.L1.Disabled = true
	opts.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if f.namespace != "" {
		opts.Namespace = f.namespace
	}
	c, err := cachekit.New(opts)
	if err != nil {
		_ = closeBackend(b)
		return nil, err
	}
	s := &session{client: c, store: c, b: b}
	if opts.Namespace != "" {
		s.prefix = opts.Namespace + ":"
	}
	if f.secure {
		sec, err := c.Secure()
		if err != nil {
			s.close()
			return nil, err
		}
		s.store = sec
	}
	return s, nil
}

func (s *session) close() {
	_ = s.client.Close()
	_ = closeBackend(s.b)
}

// dataCommand builds a data command whose flags are dataFlags plus extra ones, that
// takes exactly nargs positional arguments.
func dataCommand(name, args, summary, help string, nargs int,
	extra func(fs *flag.FlagSet) any,
	do func(ctx context.Context, e *env, s *session, pos []string, x any) error,
) *command {
	build := func() (*flag.FlagSet, *dataFlags, any) {
		fs := newFlagSet(name)
		f := new(dataFlags)
		f.register(fs)
		var x any
		if extra != nil {
			x = extra(fs)
		}
		return fs, f, x
	}
	return &command{
		name: name, args: args, summary: summary, help: help,
		flags: func() *flag.FlagSet { fs, _, _ := build(); return fs },
		run: func(ctx context.Context, e *env, argv []string) error {
			fs, f, x := build()
			pos, err := parseArgs(fs, argv)
			if err != nil {
				return err
			}
			if len(pos) != nargs {
				return usagef("expected %d argument(s), got %d", nargs, len(pos))
			}
			if f.timeout <= 0 {
				return usagef("-timeout must be positive")
			}
			ctx, cancel := context.WithTimeout(ctx, f.timeout)
			defer cancel()
			s, err := openSession(e, f)
			if err != nil {
				return err
			}
			defer s.close()
			return do(ctx, e, s, pos, x)
		},
	}
}

// getFlags are the flags of get beyond dataFlags.
type getFlags struct{ raw bool }

var getCommand = dataCommand("get", "[-backend URL] [-namespace NS] [-secure] [-raw] KEY",
	"print the value stored under a key, as JSON",
	`Get prints the value stored under KEY as JSON. Bytes print as {"$bytes": "<hex>"},
times as {"$datetime": "<RFC 3339>"}, and floats always with a fraction (2.0).
With -raw it prints the stored bytes themselves in hex, as the backend holds them
(ciphertext for a secure entry), ready for 'cachekit inspect -hex'.
A key with no entry is an error (exit status 1).`,
	1,
	func(fs *flag.FlagSet) any {
		g := new(getFlags)
		fs.BoolVar(&g.raw, "raw", false, "print the stored bytes in hex instead of the decoded value")
		return g
	},
	func(ctx context.Context, e *env, s *session, pos []string, x any) error {
		key := pos[0]
		if x.(*getFlags).raw {
			raw, found, err := s.client.Backend().Get(ctx, s.prefix+key)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("%w: %q", errNotFound, key)
			}
			fmt.Fprintln(e.stdout, hex.EncodeToString(raw))
			return nil
		}
		var v any
		found, err := s.store.Get(ctx, key, &v)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: %q", errNotFound, key)
		}
		text, err := marshalJSON(v, true)
		if err != nil {
			return fmt.Errorf("the value cannot be shown as JSON: %w", err)
		}
		fmt.Fprintln(e.stdout, text)
		return nil
	})

// setFlags are the flags of set beyond dataFlags.
type setFlags struct {
	ttl    time.Duration
	asJSON bool
}

var setCommand = dataCommand("set", "[-backend URL] [-namespace NS] [-secure] [-ttl D] [-json] KEY VALUE",
	"store a value under a key",
	`Set stores VALUE under KEY as one MessagePack document, as the SDK writes values:
a string by default, or with -json the document VALUE describes in JSON, including
the tagged forms {"$bytes": "<hex>"}, {"$datetime": "..."}, {"$int": "..."},
{"$float": "..."}, {"$uuid": "..."} and {"$set": [...]}. A bare JSON number with a
fraction or exponent is a float, any other an integer.
The lifetime is -ttl, else $CACHEKIT_DEFAULT_TTL seconds, else 300 s. Put "--"
before a VALUE that starts with "-".`,
	2,
	func(fs *flag.FlagSet) any {
		sf := new(setFlags)
		fs.DurationVar(&sf.ttl, "ttl", 0, "lifetime of the entry, such as 60s or 1h (default: the client's default TTL)")
		fs.BoolVar(&sf.asJSON, "json", false, "parse VALUE as (tagged) JSON instead of storing it as a string")
		return sf
	},
	func(ctx context.Context, e *env, s *session, pos []string, x any) error {
		sf := x.(*setFlags)
		key := pos[0]
		var value any = pos[1]
		if sf.asJSON {
			v, err := parseTagged(pos[1], forValue)
			if err != nil {
				return &usageError{msg: "VALUE: " + err.Error()}
			}
			value = v
		}
		var opts []cachekit.SetOption
		if sf.ttl != 0 {
			if sf.ttl < 0 {
				return usagef("-ttl must be positive")
			}
			opts = append(opts, cachekit.WithTTL(sf.ttl))
		}
		return s.store.Set(ctx, key, value, opts...)
	})

var delCommand = dataCommand("del", "[-backend URL] [-namespace NS] KEY",
	"delete the entry under a key",
	`Del deletes the entry under KEY and prints true when there was one, false otherwise.`,
	1, nil,
	func(ctx context.Context, e *env, s *session, pos []string, _ any) error {
		deleted, err := s.store.Delete(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, deleted)
		return nil
	})

var existsCommand = dataCommand("exists", "[-backend URL] [-namespace NS] KEY",
	"print whether an entry is stored under a key",
	`Exists prints true when a live entry is stored under KEY, false otherwise. It does
not read or decrypt the value.`,
	1, nil,
	func(ctx context.Context, e *env, s *session, pos []string, _ any) error {
		ok, err := s.store.Exists(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, ok)
		return nil
	})

var ttlCommand = dataCommand("ttl", "[-backend URL] [-namespace NS] KEY",
	"print the remaining lifetime of an entry",
	`TTL prints the remaining lifetime of the entry under KEY, in whole seconds (such as
42s), or "none" for an entry that never expires (written by another SDK). A key with
no entry is an error (exit status 1), as is a backend that cannot tell (memcached
before 1.6).`,
	1, nil,
	func(ctx context.Context, e *env, s *session, pos []string, _ any) error {
		ttl, found, err := s.store.TTL(ctx, pos[0])
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: %q", errNotFound, pos[0])
		}
		if ttl == backend.NoExpiry {
			fmt.Fprintln(e.stdout, "none")
			return nil
		}
		fmt.Fprintf(e.stdout, "%ds\n", ttl/time.Second)
		return nil
	})
