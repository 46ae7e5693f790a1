package redis

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// Defaults applied to zero fields of Options.
const (
	// DefaultDialTimeout bounds establishing one connection.
	DefaultDialTimeout = 5 * time.Second
	// DefaultReadTimeout bounds one read operation (GET, EXISTS, TTL, MGET, PING) when the
	// caller's context has no earlier deadline.
	DefaultReadTimeout = 3 * time.Second
	// DefaultWriteTimeout bounds one write operation (SET, DEL, EXPIRE, lock commands)
	// when the caller's context has no earlier deadline.
	DefaultWriteTimeout = 3 * time.Second
	// DefaultInvalidationChannel is the pub/sub channel of the fallback invalidation path.
	DefaultInvalidationChannel = "cachekit:invalidate"
)

// InvalidationMode chooses how SubscribeInvalidations learns about writes.
type InvalidationMode uint8

const (
	// InvalidationAuto uses RESP3 client tracking (BCAST) when the server supports it and
	// falls back to the pub/sub channel otherwise. It is the default.
	InvalidationAuto InvalidationMode = iota
	// InvalidationTracking requires RESP3 client tracking; SubscribeInvalidations fails
	// when the server cannot do it.
	InvalidationTracking
	// InvalidationPubSub always uses the pub/sub channel. It sees only writes made by
	// cachekit-go backends that publish (see Options.PublishInvalidations), not writes made
	// by redis-cli or other programs.
	InvalidationPubSub
)

// String names the mode: "auto", "tracking" or "pubsub".
func (m InvalidationMode) String() string {
	switch m {
	case InvalidationAuto:
		return "auto"
	case InvalidationTracking:
		return "tracking"
	case InvalidationPubSub:
		return "pubsub"
	}
	return "InvalidationMode(" + strconv.Itoa(int(m)) + ")"
}

// Options configures New. Set either URL or Addrs. The zero value of every other field
// means the documented default.
//
// The deployment is chosen from the fields: MasterName set means Sentinel (Addrs are the
// sentinels); otherwise one address is a standalone server or, when that server runs in
// cluster mode, a Cluster; several addresses are Cluster seed nodes.
//
// Options formats itself with the password redacted, so logging it with %v is safe.
type Options struct {
	// URL is a redis:// or rediss:// URL, parsed by ParseURL. When set, Addrs must be
	// empty, and the fields ParseURL fills (addresses, credentials, DB, TLS, MasterName,
	// timeouts) take their values from the URL unless set here as well.
	URL string

	// Addrs are "host:port" addresses: the server, Cluster seed nodes, or the sentinels.
	Addrs []string
	// MasterName is the Sentinel master set name; setting it selects Sentinel mode.
	MasterName string
	// SentinelUsername and SentinelPassword authenticate to the sentinels themselves.
	SentinelUsername string
	SentinelPassword string

	// Username and Password authenticate to Redis (AUTH / HELLO AUTH). An empty Username
	// with a Password uses the "default" user.
	Username string
	Password string
	// DB is the database number to SELECT. It must be 0 for Cluster.
	DB int
	// TLS enables TLS with this configuration; nil means plain TCP. It is used for the
	// sentinels as well.
	TLS *tls.Config

	// DialTimeout bounds establishing a connection. Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// ReadTimeout bounds each read operation. Zero means DefaultReadTimeout. Operations
	// whose context can neither end nor be cancelled (context.Background and values
	// over it) share timers and may run up to 1/64 of the timeout longer.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write operation, like ReadTimeout. Zero means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration

	// Invalidation chooses how SubscribeInvalidations works. Zero means InvalidationAuto.
	Invalidation InvalidationMode
	// PublishInvalidations makes every Set and Delete also PUBLISH the key on
	// InvalidationChannel, for subscribers in other processes that use the pub/sub path.
	// A backend publishes anyway while it has a pub/sub subscription itself. Leave it off
	// when every process can use client tracking: publishing costs a command per write.
	PublishInvalidations bool
	// InvalidationChannel is the pub/sub channel of the fallback path. Zero means
	// DefaultInvalidationChannel. Every process of one deployment must use the same one.
	InvalidationChannel string

	// Configure, when set, is called with the rueidis options New built, just before the
	// client is created, to reach settings this struct does not expose. It must not
	// enable client-side caching.
	Configure func(*rueidis.ClientOption)
}

// ParseURL parses a redis:// (plain) or rediss:// (TLS) URL into Options:
//
//	redis[s]://[[username][:password]@]host[:port][/db][?option=value&...]
//
// Options in the query: db (database number), addr (another address; repeat for Cluster
// seeds or sentinels), master_set (Sentinel master name), dial_timeout, read_timeout,
// write_timeout (Go durations such as 2s) and, for rediss, skip_verify=true. The port
// defaults to 6379. Errors wrap ErrInvalidOptions and never contain the password.
func ParseURL(rawURL string) (Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only a hint.
		return Options{}, fmt.Errorf("%w: the URL cannot be parsed", ErrInvalidOptions)
	}
	var o Options
	switch u.Scheme {
	case "redis":
	case "rediss":
		o.TLS = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	default:
		return Options{}, fmt.Errorf("%w: URL scheme %q is not redis or rediss", ErrInvalidOptions, u.Scheme)
	}
	addAddr := func(hostport string) error {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			host, port = hostport, "6379"
		}
		if host == "" {
			return fmt.Errorf("%w: the URL has an address without a host", ErrInvalidOptions)
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return fmt.Errorf("%w: the URL has a port that is not a number", ErrInvalidOptions)
		}
		o.Addrs = append(o.Addrs, net.JoinHostPort(host, port))
		return nil
	}
	if err := addAddr(u.Host); err != nil {
		return Options{}, err
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if o.DB, err = strconv.Atoi(p); err != nil || o.DB < 0 {
			return Options{}, fmt.Errorf("%w: the URL path must be a database number", ErrInvalidOptions)
		}
	}
	q := u.Query()
	if q.Has("db") {
		if o.DB, err = strconv.Atoi(q.Get("db")); err != nil || o.DB < 0 {
			return Options{}, fmt.Errorf("%w: the URL's db must be a database number", ErrInvalidOptions)
		}
	}
	for _, a := range q["addr"] {
		if err := addAddr(a); err != nil {
			return Options{}, err
		}
	}
	o.MasterName = q.Get("master_set")
	for name, dst := range map[string]*time.Duration{
		"dial_timeout": &o.DialTimeout, "read_timeout": &o.ReadTimeout, "write_timeout": &o.WriteTimeout,
	} {
		if !q.Has(name) {
			continue
		}
		if *dst, err = time.ParseDuration(q.Get(name)); err != nil || *dst <= 0 {
			return Options{}, fmt.Errorf("%w: the URL's %s must be a positive duration", ErrInvalidOptions, name)
		}
	}
	if q.Has("skip_verify") {
		skip, err := strconv.ParseBool(q.Get("skip_verify"))
		if err != nil || o.TLS == nil {
			return Options{}, fmt.Errorf("%w: skip_verify needs a rediss URL and a boolean", ErrInvalidOptions)
		}
		o.TLS.InsecureSkipVerify = skip
	}
	return o, nil
}

// resolve merges the URL into the options, applies defaults and validates.
func (o Options) resolve() (Options, error) {
	if o.URL != "" {
		if len(o.Addrs) > 0 {
			return Options{}, fmt.Errorf("%w: set URL or Addrs, not both", ErrInvalidOptions)
		}
		u, err := ParseURL(o.URL)
		if err != nil {
			return Options{}, err
		}
		o.Addrs = u.Addrs
		o.MasterName = orString(o.MasterName, u.MasterName)
		o.Username = orString(o.Username, u.Username)
		o.Password = orString(o.Password, u.Password)
		if o.DB == 0 {
			o.DB = u.DB
		}
		if o.TLS == nil {
			o.TLS = u.TLS
		}
		o.DialTimeout = orDuration(o.DialTimeout, u.DialTimeout)
		o.ReadTimeout = orDuration(o.ReadTimeout, u.ReadTimeout)
		o.WriteTimeout = orDuration(o.WriteTimeout, u.WriteTimeout)
	}
	if len(o.Addrs) == 0 {
		return Options{}, fmt.Errorf("%w: no address (set Addrs or URL)", ErrInvalidOptions)
	}
	for _, a := range o.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return Options{}, fmt.Errorf("%w: address %q is not host:port", ErrInvalidOptions, a)
		}
	}
	if o.DB < 0 {
		return Options{}, fmt.Errorf("%w: DB must not be negative", ErrInvalidOptions)
	}
	if o.DialTimeout < 0 || o.ReadTimeout < 0 || o.WriteTimeout < 0 {
		return Options{}, fmt.Errorf("%w: timeouts must not be negative", ErrInvalidOptions)
	}
	if o.Invalidation > InvalidationPubSub {
		return Options{}, fmt.Errorf("%w: unknown invalidation mode %d", ErrInvalidOptions, o.Invalidation)
	}
	o.DialTimeout = orDuration(o.DialTimeout, DefaultDialTimeout)
	o.ReadTimeout = orDuration(o.ReadTimeout, DefaultReadTimeout)
	o.WriteTimeout = orDuration(o.WriteTimeout, DefaultWriteTimeout)
	o.InvalidationChannel = orString(o.InvalidationChannel, DefaultInvalidationChannel)
	return o, nil
}

// clientOption translates resolved options to rueidis options.
func (o Options) clientOption() rueidis.ClientOption {
	co := rueidis.ClientOption{
		InitAddress: append([]string(nil), o.Addrs...),
		Username:    o.Username,
		Password:    o.Password,
		SelectDB:    o.DB,
		TLSConfig:   o.TLS,
		Dialer:      net.Dialer{Timeout: o.DialTimeout, KeepAlive: rueidis.DefaultTCPKeepAlive},
		// Our L1 lives above the backend; rueidis' own client-side cache stays off.
		DisableCache: true,
		// Fail fast: retries belong to the reliability middleware, which knows the
		// caller's budget.
		DisableRetry: true,
	}
	if o.MasterName != "" {
		co.Sentinel = rueidis.SentinelOption{
			MasterSet: o.MasterName,
			Username:  o.SentinelUsername,
			Password:  o.SentinelPassword,
			TLSConfig: o.TLS,
			Dialer:    co.Dialer,
			// Catch a missed +switch-master event.
			TopologyRefreshInterval: 5 * time.Second,
		}
	}
	if o.Configure != nil {
		o.Configure(&co)
	}
	return co
}

// String describes the options without secrets: the password and the URL's password are
// redacted.
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("redis.Options{")
	if o.URL != "" {
		b.WriteString("URL:" + redactURL(o.URL) + " ")
	}
	fmt.Fprintf(&b, "Addrs:%v", o.Addrs)
	if o.MasterName != "" {
		fmt.Fprintf(&b, " MasterName:%s", o.MasterName)
	}
	if o.Username != "" {
		fmt.Fprintf(&b, " Username:%s", o.Username)
	}
	if o.Password != "" {
		b.WriteString(" Password:<redacted>")
	}
	if o.SentinelPassword != "" {
		b.WriteString(" SentinelPassword:<redacted>")
	}
	fmt.Fprintf(&b, " DB:%d TLS:%t Invalidation:%s}", o.DB, o.TLS != nil, o.Invalidation)
	return b.String()
}

// GoString is String, so that %#v does not print the password either.
func (o Options) GoString() string { return o.String() }

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}

func orString(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

func orDuration(v, fallback time.Duration) time.Duration {
	if v != 0 {
		return v
	}
	return fallback
}
