package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/backend/redis"
)

// envBackendURL names the backend when -backend is not given.
const envBackendURL = "CACHEKIT_BACKEND_URL"

// errNoBackend is the usage error of a data command run without a backend.
var errNoBackend = &usageError{msg: "no backend: pass -backend URL or set " + envBackendURL}

// closer is a backend that holds resources to release.
type closer interface{ Close() error }

// openBackend connects to the backend named by rawURL. The URL is never repeated in
// errors (it may carry a password); only its scheme is. The caller closes the backend
// with closeBackend.
func openBackend(e *env, rawURL string) (backend.Backend, error) {
	scheme, rest, ok := strings.Cut(rawURL, ":")
	if !ok || scheme == "" {
		return nil, &usageError{msg: "the backend URL has no scheme; use memory:, file:///dir, redis://, rediss://, memcached://, https:// or http://127.0.0.1:port"}
	}
	switch strings.ToLower(scheme) {
	case "memory":
		if rest != "" && rest != "//" {
			return nil, &usageError{msg: "a memory: backend URL takes nothing after the scheme"}
		}
		return memory.New(memory.Options{})
	case "file":
		dir, err := fileDir(rawURL)
		if err != nil {
			return nil, err
		}
		return file.New(file.Options{Dir: dir})
	case "redis", "rediss":
		b, err := redis.New(redis.Options{URL: rawURL})
		if err != nil {
			return nil, fmt.Errorf("%s backend: %w", scheme, err)
		}
		return b, nil
	case "memcached":
		servers, err := memcachedServers(rest)
		if err != nil {
			return nil, err
		}
		return memcached.New(memcached.Options{Servers: servers})
	case "https", "http":
		return openCachekitIO(e, rawURL)
	default:
		return nil, &usageError{msg: fmt.Sprintf("unknown backend scheme %q; use memory:, file:, redis:, rediss:, memcached:, https: or http: (loopback)", scheme)}
	}
}

// fileDir returns the directory of a file: URL, which must be absolute
// (file:///var/cache/app) and name no host other than localhost.
func fileDir(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", &usageError{msg: "the file: backend URL does not parse; use file:///absolute/dir"}
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", &usageError{msg: "a file: backend URL names no host; use file:///absolute/dir"}
	}
	if u.Opaque != "" || u.Path == "" || !filepath.IsAbs(u.Path) {
		return "", &usageError{msg: "a file: backend URL needs an absolute directory; use file:///absolute/dir"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", &usageError{msg: "a file: backend URL takes no query or fragment"}
	}
	return filepath.Clean(u.Path), nil
}

// memcachedServers splits the "//host:port[,host:port]" part of a memcached: URL.
func memcachedServers(rest string) ([]string, error) {
	hosts, ok := strings.CutPrefix(rest, "//")
	if !ok {
		return nil, &usageError{msg: "use memcached://host:port[,host:port]"}
	}
	hosts = strings.TrimSuffix(hosts, "/")
	if hosts == "" {
		return nil, &usageError{msg: "a memcached: backend URL needs at least one host:port"}
	}
	var servers []string
	for _, h := range strings.Split(hosts, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil || host == "" {
			return nil, &usageError{msg: "each memcached server must be host:port"}
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, &usageError{msg: "a memcached server port must be 1 to 65535"}
		}
		servers = append(servers, h)
	}
	return servers, nil
}

// openCachekitIO builds the cachekit.io client. The API key comes from
// CACHEKIT_API_KEY; an http URL is allowed only for a server on this machine (the
// development server), which the backend package checks.
func openCachekitIO(e *env, rawURL string) (backend.Backend, error) {
	key := e.getenv(cachekitio.EnvAPIKey)
	if key == "" {
		return nil, errors.New("the cachekit.io backend needs an API key in " + cachekitio.EnvAPIKey)
	}
	opts := cachekitio.Options{
		APIKey: key,
		APIURL: strings.TrimSuffix(rawURL, "/"),
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
	if v := e.getenv(cachekitio.EnvAllowCustomHost); v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			return nil, errors.New(cachekitio.EnvAllowCustomHost + " must be true or false")
		}
		opts.AllowCustomHost = allow
	}
	if strings.HasPrefix(strings.ToLower(rawURL), "http:") {
		opts.AllowInsecureLoopback = true
	}
	b, err := cachekitio.New(opts)
	if err != nil {
		return nil, fmt.Errorf("cachekit.io backend: %w", err)
	}
	return b, nil
}

// closeBackend releases b's resources, if it holds any.
func closeBackend(b backend.Backend) error {
	if c, ok := b.(closer); ok {
		return c.Close()
	}
	return nil
}
