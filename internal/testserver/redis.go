package testserver

import (
	"context"
	"crypto/tls"
	"strconv"
	"testing"
	"time"
)

// RedisOptions configures StartRedis. The zero value is a password-less, non-persistent
// standalone server.
type RedisOptions struct {
	// Password, when set, becomes requirepass (the "default" user's password).
	Password string
	// TLS, when set, makes the server listen with TLS only (tls-port, no plain port) with
	// this certificate; clients need not present one.
	TLS *TLSFiles
	// ExtraArgs are appended to the command line, e.g. "--cluster-enabled", "yes".
	ExtraArgs []string
}

// Redis is a redis-server process started by StartRedis.
type Redis struct {
	*Process
	// Password is the password the server requires, or "".
	Password string
	// TLS is the client configuration trusting the server's certificate, when it was
	// started with TLS; nil otherwise.
	TLS *tls.Config
}

// StartRedis starts a standalone redis-server on a free loopback port with persistence
// off, and stops it when the test ends.
func StartRedis(t testing.TB, opts RedisOptions) *Redis {
	t.Helper()
	p := Start(t, redisSpec("redis", opts, nil))
	r := &Redis{Process: p, Password: opts.Password}
	if opts.TLS != nil {
		r.TLS = opts.TLS.Client
	}
	return r
}

func redisSpec(name string, opts RedisOptions, portFree func(int) bool) Spec {
	return Spec{
		Name:    name,
		Program: "redis-server",
		Args: func(port int, dir string) []string {
			args := []string{"--port", strconv.Itoa(port)}
			if opts.TLS != nil {
				args = []string{
					"--port", "0", "--tls-port", strconv.Itoa(port),
					"--tls-cert-file", opts.TLS.CertFile, "--tls-key-file", opts.TLS.KeyFile,
					"--tls-ca-cert-file", opts.TLS.CertFile, "--tls-auth-clients", "no",
				}
			}
			args = append(args,
				"--bind", "127.0.0.1",
				"--dir", dir,
				"--save", "",
				"--appendonly", "no",
				"--protected-mode", "no",
				"--daemonize", "no",
				"--loglevel", "warning",
			)
			if opts.Password != "" {
				args = append(args, "--requirepass", opts.Password)
			}
			return append(args, opts.ExtraArgs...)
		},
		Ready:    redisReady(opts.Password, tlsClient(opts.TLS)),
		PortFree: portFree,
	}
}

// Do sends one command to the server over a fresh connection (see RedisDo) with a
// 5-second deadline.
func (r *Redis) Do(args ...string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return redisDo(ctx, r.Addr, r.Password, r.TLS, args...)
}

func tlsClient(f *TLSFiles) *tls.Config {
	if f == nil {
		return nil
	}
	return f.Client
}
