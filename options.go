package cachekit

import (
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// Defaults applied to the zero value of each Options field.
const (
	// DefaultTTL is the lifetime of an entry written without WithTTL (300 s).
	DefaultTTL = 300 * time.Second
	// DefaultL1Capacity is the number of entries the L1 holds (1000).
	DefaultL1Capacity = 1000
	// DefaultL1BackfillTTL caps how long a value read from the backend stays in L1
	// (30 s); the backfill lifetime is min(DefaultTTL, this cap).
	DefaultL1BackfillTTL = 30 * time.Second
	// DefaultMaxPayloadSize is the largest encoded value Set accepts (5 MiB).
	DefaultMaxPayloadSize = 5 << 20
)

// Limits of keys and namespaces.
const (
	// MaxKeySize is the longest user key, in bytes.
	MaxKeySize = 1024
	// MaxNamespaceSize is the longest namespace, in bytes.
	MaxNamespaceSize = 255
)

// Container chooses how values are laid out in the backend. Readers use the configured
// container and never guess it from the bytes: a client meeting another container
// reports what it found in a KindSerialization error.
type Container uint8

const (
	// ContainerPlain stores one MessagePack document per value, the container of
	// cachekit-rs and of interop mode. It is the default.
	ContainerPlain Container = iota
	// ContainerEnvelope stores the ByteStorage envelope (LZ4 block and xxHash3-64
	// checksum around the MessagePack document), the container of cachekit-ts.
	ContainerEnvelope
)

// String returns "plain" or "envelope".
func (c Container) String() string {
	switch c {
	case ContainerPlain:
		return "plain"
	case ContainerEnvelope:
		return "envelope"
	}
	return fmt.Sprintf("Container(%d)", uint8(c))
}

// Options configures a Client. The zero value of every field means the documented
// default, so Options{} is a working client over an in-process memory backend.
type Options struct {
	// Backend is the L2 store. nil means a new in-process memory backend that the client
	// owns and closes in Close; a backend given here is never closed by the client.
	Backend backend.Backend

	// Reliability, when not nil, makes New wrap Backend in the reliability middleware
	// (retry, circuit breaker, backpressure: package reliability) configured by it; a
	// pointer to the zero reliability.Options turns every guard on with its defaults.
	// nil, the zero value, leaves Backend as given, so a backend the caller wrapped
	// already is not wrapped twice; a Backend that already is a reliability.Backend is
	// never wrapped again whatever this field says. The production and secure presets
	// set it. Stats reports the middleware's counters either way.
	Reliability *reliability.Options

	// Namespace prefixes every storage key as "{Namespace}:{key}". It is 1 to 255
	// printable ASCII bytes, or empty for no prefix.
	Namespace string

	// DefaultTTL is the lifetime of entries written without WithTTL; zero means
	// DefaultTTL (300 s). Negative is an error; sub-second values round up to 1 s.
	DefaultTTL time.Duration

	// L1 configures the in-process cache in front of the backend.
	L1 L1Options

	// MaxPayloadSize is the largest encoded (MessagePack) value Set accepts, in bytes;
	// zero means DefaultMaxPayloadSize (5 MiB). Larger values fail with
	// KindPayloadTooLarge and nothing is written.
	MaxPayloadSize int

	// Container is the stored layout of values; the zero value is ContainerPlain.
	Container Container

	// Encrypt makes every operation of the client encrypt, as the secure preset does.
	// It needs a master key (MasterKey or CACHEKIT_MASTER_KEY), else New fails. Without
	// it, a master key only serves Client.Secure: a configured key alone never turns
	// encryption on.
	Encrypt bool

	// MasterKey is the hex-encoded master key (at least 32 bytes; exactly 32 is the
	// only size every SDK accepts). Empty means CACHEKIT_MASTER_KEY, if set. It is only
	// used by Secure handles and by clients with Encrypt set.
	MasterKey Secret

	// PreviousMasterKeys are up to 3 decrypt-only hex master keys, tried in order after
	// MasterKey, so values written before a rotation still read. Empty means
	// CACHEKIT_PREVIOUS_MASTER_KEYS (comma-separated), if set.
	PreviousMasterKeys []Secret

	// Tenant separates the encryption keys of tenants sharing a master key. Empty means
	// CACHEKIT_DEPLOYMENT_UUID (as canonical lowercase), else "default".
	Tenant string

	// NoSWR makes memoized functions default to no stale-while-revalidate: a value is
	// served until its TTL ends, then reloaded. The minimal preset sets it; MemoSWR on a
	// memoizer overrides it.
	NoSWR bool

	// CloseBackend makes Close close Backend too (when it has a Close method). Presets
	// that create their backend, such as IOOptions, set it; a backend you pass yourself
	// stays open unless you set it.
	CloseBackend bool

	// Logger receives warnings, such as a failed invalidation subscription. nil means
	// slog.Default().
	Logger *slog.Logger

	// TracerProvider, when not nil, receives one span per client operation that
	// reaches the backend: "cachekit.get" (after an L1 miss), "cachekit.get_many",
	// "cachekit.set", "cachekit.delete", "cachekit.exists", "cachekit.ttl",
	// "cachekit.refresh_ttl", "cachekit.memoize" (the cache read of a memoized call)
	// and "cachekit.memoize_load" (a run of the memoized function and the write of its
	// result). L1 hits make no span. Spans carry cache.operation, cache.backend,
	// cache.namespace (when set) and cache.result (l2_hit, miss, ok or error); a failed
	// operation has status Error described by its Kind, as is its error.type
	// attribute, never by its message. The key is added (cache.key) only with
	// TelemetryKeys.
	//
	// nil, the default, means no spans at no cost. The client never falls back to the
	// global provider: pass otel.GetTracerProvider() to use it.
	TracerProvider trace.TracerProvider

	// MeterProvider, when not nil, receives the client's metrics under the
	// instrumentation scope InstrumentationName:
	//
	//   - cachekit.requests ({request}, counter): outcomes by cache.operation and
	//     cache.result (l1_hit, l2_hit, miss, ok; error with error.type, the Kind).
	//   - cachekit.operation.duration (s, histogram): operations that reach the
	//     backend, by cache.operation (and error.type when they failed).
	//   - cachekit.l1.entries ({entry}) and cachekit.l1.size (By): up-down counters of
	//     what the L1 holds.
	//   - cachekit.l1.evictions ({entry}, by cachekit.eviction.reason: size or expired)
	//     and cachekit.l1.invalidations ({invalidation}): counters.
	//   - cachekit.memoize.calls ({call}, by cachekit.memoize.result: hit, stale,
	//     negative_hit, miss) and cachekit.memoize.loader.runs ({run}): counters.
	//   - cachekit.breaker.state ({state}, gauge): 1 for the circuit breaker's current
	//     state and 0 for the others, by cachekit.breaker.state (closed, open,
	//     half_open); only with the reliability middleware.
	//
	// Every series carries cache.backend and, when set, cache.namespace. All but the
	// histogram are asynchronous: they read the counters behind Stats when the
	// provider collects, and Close unregisters them. nil, the default, means no
	// metrics at no cost; as for TracerProvider, pass otel.GetMeterProvider() to use
	// the global provider.
	MeterProvider metric.MeterProvider

	// TelemetryKeys adds the user key (without the namespace) to spans as cache.key.
	// It is off by default because keys often hold personal data (user ids, emails);
	// metrics never carry keys.
	TelemetryKeys bool

	// Env looks up environment variables for the fallbacks above (master keys, tenant).
	// nil means os.LookupEnv; tests pass a map lookup instead of changing the process
	// environment.
	Env func(name string) (value string, ok bool)
}

// L1Options configures the in-process L1 cache. The zero value is an L1 of
// DefaultL1Capacity entries with no byte budget, kept coherent across processes when the
// backend supports invalidations.
type L1Options struct {
	// Disabled turns the L1 off: every read goes to the backend.
	Disabled bool

	// Capacity is the maximum number of entries; zero means DefaultL1Capacity.
	Capacity int

	// MaxBytes is an optional budget for the bytes the L1 holds (keys plus stored
	// values); zero means none. With a budget each entry is charged at least
	// MaxBytes/Capacity bytes, so both limits hold at once.
	MaxBytes int64

	// BackfillTTL caps the lifetime of a value read from the backend in L1; zero means
	// DefaultL1BackfillTTL (30 s). The backfill lifetime is min(DefaultTTL, BackfillTTL).
	// Values the client writes stay in L1 for the TTL they were written with.
	BackfillTTL time.Duration

	// NoInvalidation turns off cross-process coherence: the client does not subscribe to
	// the backend's invalidations (the minimal preset's posture). Staleness is then
	// bounded by BackfillTTL for values read, and by the write TTL for values written.
	NoInvalidation bool
}

// Secret is a string that never prints: every fmt verb, slog and text encoding show
// "[redacted]". Master keys are Secrets so that printing an Options value cannot leak
// them.
type Secret string

const redacted = "[redacted]"

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]".
func (Secret) GoString() string { return redacted }

// Format writes "[redacted]" for every verb.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns "[redacted]" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]", so encoders that honour encoding.TextMarshaler
// (JSON among them) do not write the key either.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// SetOption adjusts one Set call; see WithTTL.
type SetOption struct {
	ttl    time.Duration
	hasTTL bool
}

// WithTTL sets the lifetime of the entry a Set writes, instead of Options.DefaultTTL.
// Zero or negative is an error (never "forever"); sub-second values round up to 1 s.
func WithTTL(ttl time.Duration) SetOption { return SetOption{ttl: ttl, hasTTL: true} }
