package cachekit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/internal/l1"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// Client is a cache over one backend with an in-process L1 in front of it. It is safe for
// concurrent use. Create it with New; release it with Close.
//
// Reads, writes and deletes are in get.go, set.go and delete.go; the value pipeline
// (MessagePack, envelope, encryption) is in container.go; the Secure handle in
// secure.go; cross-process L1 coherence in coherence.go; Memoize in memoize.go.
type Client struct {
	backend backend.Backend
	// owned is the backend the client created and closes in Close (nil when the
	// caller passed one); backend may be it wrapped in the reliability middleware.
	owned backend.Backend
	// reliable is the reliability middleware in the backend chain, nil when there is
	// none; Stats reports its counters.
	reliable reliability.Backend

	// reportsFreshness is true when the backend says how long a value may stay in L1
	// (backend.FreshnessReporter); reads then pass a backend.WithFreshness sink.
	reportsFreshness bool
	// memoSWR is the stale-while-revalidate ratio memoizers start from: 0 (off) with
	// Options.NoSWR, else DefaultMemoSWRRatio.
	memoSWR float64
	// statsConsumer is the backend that reports this client's counters to its server
	// (backend.StatsConsumer), detached again in Close.
	statsConsumer backend.StatsConsumer
	l1            *l1.Cache // nil when disabled
	// clock is the time source of the L1 and of Memoize's freshness decisions.
	clock l1.Clock

	prefix      string // "{namespace}:" or ""
	defaultTTL  time.Duration
	backfillTTL time.Duration
	maxPayload  int
	container   Container
	encryptAll  bool
	keyring     *encryption.Keyring // nil without a master key

	// id marks this client's writes (backend.WithOrigin) so it can ignore the echo of
	// its own changes in the invalidation stream.
	id     string
	logger *slog.Logger
	stats  counters
	// tel is the OpenTelemetry instrumentation (telemetry.go), nil without providers.
	tel *telemetry

	// memo is the shared state of the client's memoized functions: their single-flight
	// group and their background refreshes.
	memo memoState

	closed            atomic.Bool
	closeOnce         sync.Once
	closeErr          error
	stopInvalidations func()
	// subscribed is set once the invalidation subscription is up (coherence.go).
	subscribed atomic.Bool
}

// New returns a client configured by o. Every option is validated here; nothing is
// checked lazily at first use. With Options.Reliability the backend is wrapped in the
// reliability middleware. When the backend can report invalidations and the L1 is on,
// New subscribes to them (see L1Options.NoInvalidation); a failed subscription is
// logged, shows as Stats().Coherence.Subscribed == false, and the client runs without
// cross-process coherence.
func New(o Options) (*Client, error) { return newWithClock(o, nil) }

// systemClock reads the wall clock in nanoseconds, the L1's default time source.
type systemClock struct{}

func (systemClock) NowNano() int64 { return time.Now().UnixNano() }

// newWithClock is New with the time source of the L1 and of Memoize's freshness
// decisions; tests pass a clock they move by hand, nil means the system clock.
func newWithClock(o Options, clock l1.Clock) (*Client, error) {
	const op = "new"
	c := &Client{
		clock:       clock,
		defaultTTL:  DefaultTTL,
		backfillTTL: DefaultL1BackfillTTL,
		maxPayload:  DefaultMaxPayloadSize,
		container:   o.Container,
		encryptAll:  o.Encrypt,
		logger:      o.Logger,
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if o.Namespace != "" {
		if err := checkNamespace(o.Namespace); err != nil {
			return nil, newError(KindConfig, op, "", fmt.Errorf("Options.Namespace: %w", err))
		}
		c.prefix = o.Namespace + ":"
	}
	if o.DefaultTTL < 0 {
		return nil, newError(KindConfig, op, "", fmt.Errorf("Options.DefaultTTL: %w", ErrInvalidTTL))
	}
	if o.DefaultTTL > 0 {
		c.defaultTTL, _ = backend.NormalizeTTL(o.DefaultTTL)
	}
	if o.MaxPayloadSize < 0 {
		return nil, errorf(KindConfig, op, "", "Options.MaxPayloadSize must not be negative")
	}
	if o.MaxPayloadSize > 0 {
		c.maxPayload = o.MaxPayloadSize
	}
	if o.Container != ContainerPlain && o.Container != ContainerEnvelope {
		return nil, errorf(KindConfig, op, "", "Options.Container: unknown container %d", uint8(o.Container))
	}
	if o.L1.BackfillTTL < 0 {
		return nil, newError(KindConfig, op, "", fmt.Errorf("Options.L1.BackfillTTL: %w", ErrInvalidTTL))
	}
	if o.L1.BackfillTTL > 0 {
		c.backfillTTL, _ = backend.NormalizeTTL(o.L1.BackfillTTL)
	}
	c.backfillTTL = min(c.backfillTTL, c.defaultTTL)
	if o.L1.Capacity < 0 || o.L1.MaxBytes < 0 {
		return nil, errorf(KindConfig, op, "", "Options.L1.Capacity and Options.L1.MaxBytes must not be negative")
	}

	kr, err := loadKeyring(o, op)
	if err != nil {
		return nil, err
	}
	c.keyring = kr
	if c.encryptAll && kr == nil {
		return nil, newError(KindConfig, op, "", ErrNoMasterKey)
	}

	var idBytes [16]byte
	_, _ = rand.Read(idBytes[:]) // crypto/rand.Read never fails
	c.id = hex.EncodeToString(idBytes[:])

	if !o.L1.Disabled {
		cache, err := l1.New(l1.Options{Capacity: o.L1.Capacity, MaxBytes: o.L1.MaxBytes, Clock: clock})
		if err != nil {
			return nil, newError(KindConfig, op, "", fmt.Errorf("Options.L1: %w", err))
		}
		c.l1 = cache
	}

	if c.clock == nil {
		c.clock = systemClock{}
	}

	c.backend = o.Backend
	if c.backend == nil {
		mem, err := memory.New(memory.Options{})
		if err != nil {
			c.closeL1()
			return nil, newError(KindConfig, op, "", fmt.Errorf("creating the memory backend: %w", err))
		}
		c.backend, c.owned = mem, mem
	} else if o.CloseBackend {
		c.owned = o.Backend
	}
	if o.Reliability != nil {
		if _, wrapped := c.backend.(reliability.Backend); !wrapped {
			rb, err := reliability.New(c.backend, *o.Reliability)
			if err != nil {
				c.closeL1()
				c.closeOwned()
				return nil, newError(KindConfig, op, "", fmt.Errorf("Options.Reliability: %w", err))
			}
			c.backend = rb
		}
	}
	c.memoSWR = DefaultMemoSWRRatio
	if o.NoSWR {
		c.memoSWR = 0
	}
	c.reliable = findReliability(c.backend)
	c.wireServerHints()
	if err := c.memo.init(c); err != nil {
		c.closeL1()
		c.closeOwned()
		return nil, newError(KindConfig, op, "", err)
	}

	tel, err := newTelemetry(c, o)
	if err != nil {
		c.memo.close()
		c.closeL1()
		c.closeOwned()
		return nil, newError(KindConfig, op, "", err)
	}
	c.tel = tel

	if c.l1 != nil && !o.L1.NoInvalidation {
		c.subscribe()
	}
	return c, nil
}

// Close stops the client's background work (the invalidation subscription, the L1
// clean-up, and Memoize's loads and background refreshes, which it cancels and waits
// for), unregisters its asynchronous metrics (Options.MeterProvider) and closes the backend if the client created it. A backend passed in
// Options.Backend stays open. Calls after Close fail with ErrClosed; Close itself may be
// called more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		if err := c.tel.close(); err != nil {
			c.logger.Warn("cachekit: unregistering the OpenTelemetry callback failed", "error", err)
		}
		if c.stopInvalidations != nil {
			c.stopInvalidations()
		}
		c.memo.close()
		if c.statsConsumer != nil {
			c.statsConsumer.SetStatsSource(nil)
		}
		c.closeL1()
		c.closeErr = c.closeOwned()
	})
	return c.closeErr
}

// closeOwned closes the backend the client created, if any.
func (c *Client) closeOwned() error {
	if cl, ok := c.owned.(interface{ Close() error }); ok {
		return cl.Close()
	}
	return nil
}

// findReliability returns the reliability middleware in b's chain of wrappers, or nil.
func findReliability(b backend.Backend) reliability.Backend {
	rb, _ := findInChain[reliability.Backend](b)
	return rb
}

// findInChain returns the first backend in b's chain of wrappers (each found through an
// Unwrap() backend.Backend method) that implements T.
func findInChain[T any](b backend.Backend) (T, bool) {
	var zero T
	for range 16 { // a bound, in case a wrapper unwraps to itself
		if t, ok := b.(T); ok {
			return t, true
		}
		u, ok := b.(interface{ Unwrap() backend.Backend })
		if !ok {
			return zero, false
		}
		b = u.Unwrap()
		if b == nil {
			return zero, false
		}
	}
	return zero, false
}

func (c *Client) closeL1() {
	if c.l1 != nil {
		c.l1.Close()
	}
}

// Health asks the backend whether it can serve requests.
func (c *Client) Health(ctx context.Context) (backend.HealthStatus, error) {
	const op = "health"
	if c.closed.Load() {
		return backend.HealthStatus{}, c.fail(newError(KindConfig, op, "", ErrClosed))
	}
	h, err := c.backend.Health(ctx)
	if err != nil {
		return h, c.backendFailure(op, "", err)
	}
	return h, nil
}

// Backend returns the client's backend, for capabilities the client does not wrap.
// Writing through it bypasses the L1, the container and encryption.
func (c *Client) Backend() backend.Backend { return c.backend }

// check validates the state of the client and the key before an operation.
func (c *Client) check(op, key string) error {
	if c.closed.Load() {
		return c.fail(newError(KindConfig, op, key, ErrClosed))
	}
	if e := checkKey(op, key); e != nil {
		return c.fail(e)
	}
	return nil
}

// checkTTL validates a per-call TTL and rounds it up to whole seconds.
func (c *Client) checkTTL(op, key string, ttl time.Duration) (time.Duration, error) {
	n, err := backend.NormalizeTTL(ttl)
	if err != nil {
		return 0, c.fail(newError(KindConfig, op, key, ErrInvalidTTL))
	}
	return n, nil
}

// fail counts e in the statistics and returns it.
func (c *Client) fail(e *Error) error {
	c.stats.errors[e.Kind].Add(1)
	if c.tel != nil {
		c.tel.countError(opOf(e.Op), e.Kind)
	}
	return e
}

// backendFailure wraps an error of the backend in an *Error of the mapped kind.
func (c *Client) backendFailure(op, key string, err error) error {
	return c.fail(newError(backendKind(err), op, key, err))
}
