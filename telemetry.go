package cachekit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// InstrumentationName is the OpenTelemetry instrumentation scope of the client's tracer
// and meter: the module path.
const InstrumentationName = "github.com/cachekit-io/cachekit-go"

// The OpenTelemetry attributes the client puts on its spans and metrics. Values are
// never cached values, error messages or key material; the key itself appears only
// with Options.TelemetryKeys.
const (
	// attrNamespace is the client's Options.Namespace (absent when it has none).
	attrNamespace = attribute.Key("cache.namespace")
	// attrBackend names the backend: "memory", "redis", "file", "memcached",
	// "cachekitio", or the package name of another implementation.
	attrBackend = attribute.Key("cache.backend")
	// attrOperation is the client operation: get, get_many, set, delete, exists, ttl,
	// refresh_ttl, memoize (the cache read of a memoized call), memoize_load (a run of
	// the memoized function and the write of its result), health or other.
	attrOperation = attribute.Key("cache.operation")
	// attrResult is the outcome of an operation: l1_hit, l2_hit, miss, ok or error.
	attrResult = attribute.Key("cache.result")
	// attrKey is the user key (without the namespace prefix), only with
	// Options.TelemetryKeys.
	attrKey = attribute.Key("cache.key")
	// attrErrorType is the Kind of a failure in snake case ("backend_transient",
	// "serialization", ...), or "loader" for an error returned by a memoized function.
	attrErrorType = attribute.Key("error.type")
	// attrBatchSize is the number of keys a get_many span asked the backend for.
	attrBatchSize = attribute.Key("cachekit.batch.size")
	// attrMemoFunction is the operation name given to Memoize, on memoize spans.
	attrMemoFunction = attribute.Key("cachekit.memoize.function")
	// attrMemoRefresh is true on the memoize_load span of a background refresh.
	attrMemoRefresh = attribute.Key("cachekit.memoize.refresh")
	// attrMemoResult is the outcome of a memoized call: hit, stale, negative_hit or
	// miss.
	attrMemoResult = attribute.Key("cachekit.memoize.result")
	// attrEvictionReason is why the L1 dropped entries: size (capacity or byte budget)
	// or expired.
	attrEvictionReason = attribute.Key("cachekit.eviction.reason")
	// attrBreakerState is a circuit breaker state: closed, open or half_open.
	attrBreakerState = attribute.Key("cachekit.breaker.state")
	// attrCoherenceState is the state of the L1's invalidation subscription:
	// connected, disconnected (the backend lost its notification connection) or
	// unsubscribed (no coherence: see CoherenceStats.Subscribed).
	attrCoherenceState = attribute.Key("cachekit.coherence.state")
)

// The names of the client's OpenTelemetry instruments.
const (
	// metricRequests counts operation outcomes by attrOperation and attrResult (and
	// attrErrorType for errors): an asynchronous counter, {request}.
	metricRequests = "cachekit.requests"
	// metricOperationDuration is the duration of operations that reach the backend, in
	// seconds, by attrOperation (and attrErrorType for failures): a histogram.
	metricOperationDuration = "cachekit.operation.duration"
	// metricL1Entries is the number of entries in the L1, {entry}.
	metricL1Entries = "cachekit.l1.entries"
	// metricL1Size is the bytes the L1 holds (keys plus stored values), By.
	metricL1Size = "cachekit.l1.size"
	// metricL1Evictions counts entries the L1 dropped, by attrEvictionReason, {entry}.
	metricL1Evictions = "cachekit.l1.evictions"
	// metricL1Invalidations counts invalidations from other writers applied to the L1,
	// {invalidation}.
	metricL1Invalidations = "cachekit.l1.invalidations"
	// metricMemoCalls counts memoized calls by attrMemoResult, {call}.
	metricMemoCalls = "cachekit.memoize.calls"
	// metricMemoLoaderRuns counts runs of memoized functions, {run}.
	metricMemoLoaderRuns = "cachekit.memoize.loader.runs"
	// metricBreakerState is 1 for the circuit breaker's current state and 0 for the
	// others, by attrBreakerState; only with the reliability middleware.
	metricBreakerState = "cachekit.breaker.state"
	// metricCoherenceState is 1 for the current state of the L1's invalidation
	// subscription and 0 for the others, by attrCoherenceState; only with an L1.
	metricCoherenceState = "cachekit.l1.coherence.state"
	// metricCoherenceDisconnects counts the times the invalidation subscription lost its
	// connection (CoherenceStats.Disconnects), {disconnect}; only with an L1.
	metricCoherenceDisconnects = "cachekit.l1.coherence.disconnects"
)

// durationBuckets are the advisory histogram bounds, in seconds: cache round trips are
// mostly well under a millisecond, so the defaults of OpenTelemetry (tuned for
// milliseconds) would put almost everything in the first bucket.
var durationBuckets = []float64{
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// telOp is an operation as telemetry names it (attrOperation).
type telOp uint8

const (
	opOther telOp = iota
	opGet
	opGetMany
	opSet
	opDelete
	opExists
	opTTL
	opRefreshTTL
	opMemoize
	opMemoizeLoad
	opHealth
	numOps
)

var opNames = [numOps]string{
	opOther:       "other",
	opGet:         "get",
	opGetMany:     "get_many",
	opSet:         "set",
	opDelete:      "delete",
	opExists:      "exists",
	opTTL:         "ttl",
	opRefreshTTL:  "refresh_ttl",
	opMemoize:     "memoize",
	opMemoizeLoad: "memoize_load",
	opHealth:      "health",
}

// opOf maps the Op of an *Error to the telemetry operation.
func opOf(op string) telOp {
	switch op {
	case "get":
		return opGet
	case "get many", "decode": // decode: Value.Decode of a GetMany result
		return opGetMany
	case "set":
		return opSet
	case "delete":
		return opDelete
	case "exists":
		return opExists
	case "ttl":
		return opTTL
	case "refresh ttl":
		return opRefreshTTL
	case "health":
		return opHealth
	}
	if op == "memoize" || strings.HasPrefix(op, "memoize ") {
		return opMemoize
	}
	return opOther
}

// telResult is the successful outcome of an operation (attrResult); errors are counted
// by kind instead.
type telResult uint8

const (
	resultNone telResult = iota // not counted: the operation counts its own outcomes
	resultL1Hit
	resultL2Hit
	resultMiss
	resultOK
	numResults
)

var resultNames = [numResults]string{
	resultL1Hit: "l1_hit",
	resultL2Hit: "l2_hit",
	resultMiss:  "miss",
	resultOK:    "ok",
}

// lookupResult is the outcome of a read that reached the backend.
func lookupResult(found bool) telResult {
	if found {
		return resultL2Hit
	}
	return resultMiss
}

// kindLabel is the attrErrorType value of a Kind: its name in snake case.
func kindLabel(k Kind) string { return strings.ReplaceAll(k.String(), " ", "_") }

// errorType is the attrErrorType value of an error: its Kind, or "loader" for an error
// that is not the client's (a memoized function's own).
func errorType(err error) string {
	if k, ok := KindOf(err); ok {
		return kindLabel(k)
	}
	return "loader"
}

// telemetry is the client's OpenTelemetry instrumentation. A client without providers
// has none (Client.tel is nil), and every method is a no-op on a nil receiver, so the
// cost without telemetry is one nil check.
type telemetry struct {
	tracer    trace.Tracer // nil without a TracerProvider
	spanNames [numOps]string
	opAttrs   [numOps][]attribute.KeyValue // the client's attributes and the op's name
	// spanStart are the start options of each op's spans without a key attribute,
	// built once so that starting a span allocates only what the SDK needs.
	spanStart [numOps][]trace.SpanStartOption
	keys      bool

	duration     metric.Float64Histogram // nil without a MeterProvider
	durationOpts [numOps][]metric.RecordOption
	reg          metric.Registration

	// results and errors are the live counts behind metricRequests: one atomic add per
	// operation, reported when the meter collects.
	results [numOps][numResults]atomic.Uint64
	errors  [numOps][numKinds]atomic.Uint64
}

// instruments are the asynchronous instruments read by the telemetry callback.
type instruments struct {
	requests, evictions, invalidations, memoCalls, loaderRuns metric.Int64ObservableCounter
	disconnects                                               metric.Int64ObservableCounter
	l1Entries, l1Size                                         metric.Int64ObservableUpDownCounter
	breaker, coherence                                        metric.Int64ObservableGauge
}

// newTelemetry sets up the instrumentation of c from o; it returns nil when o gives no
// provider. It must run once c's backend chain, L1 and reliability middleware are set.
func newTelemetry(c *Client, o Options) (*telemetry, error) {
	if o.TracerProvider == nil && o.MeterProvider == nil {
		return nil, nil
	}
	t := &telemetry{keys: o.TelemetryKeys}
	var base []attribute.KeyValue
	if c.prefix != "" {
		base = append(base, attrNamespace.String(strings.TrimSuffix(c.prefix, ":")))
	}
	base = append(base, attrBackend.String(backendName(c.backend)))
	for op := range numOps {
		attrs := make([]attribute.KeyValue, 0, len(base)+1)
		attrs = append(append(attrs, base...), attrOperation.String(opNames[op]))
		t.opAttrs[op] = attrs
		t.spanNames[op] = "cachekit." + opNames[op]
		kind := trace.SpanKindClient
		if op == opMemoizeLoad {
			kind = trace.SpanKindInternal // the memoized function, not the backend
		}
		t.spanStart[op] = []trace.SpanStartOption{trace.WithSpanKind(kind), trace.WithAttributes(attrs...)}
		t.durationOpts[op] = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
	}
	if o.TracerProvider != nil {
		t.tracer = o.TracerProvider.Tracer(InstrumentationName)
	}
	if o.MeterProvider != nil {
		if err := t.registerMetrics(c, o.MeterProvider.Meter(InstrumentationName), base); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// registerMetrics creates the instruments and registers the callback that reads the
// client's counters.
func (t *telemetry) registerMetrics(c *Client, m metric.Meter, base []attribute.KeyValue) error {
	var (
		ins  instruments
		errs []error
	)
	counter := func(name, desc, unit string) metric.Int64ObservableCounter {
		i, err := m.Int64ObservableCounter(name, metric.WithDescription(desc), metric.WithUnit(unit))
		errs = append(errs, err)
		return i
	}
	var err error
	t.duration, err = m.Float64Histogram(metricOperationDuration,
		metric.WithDescription("Duration of cache operations that reach the backend."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	ins.requests = counter(metricRequests, "Cache operation outcomes by operation and result.", "{request}")
	ins.evictions = counter(metricL1Evictions, "Entries the L1 dropped, by reason.", "{entry}")
	ins.invalidations = counter(metricL1Invalidations, "Invalidations from other writers applied to the L1.", "{invalidation}")
	ins.memoCalls = counter(metricMemoCalls, "Calls of memoized functions, by result.", "{call}")
	ins.loaderRuns = counter(metricMemoLoaderRuns, "Runs of memoized functions.", "{run}")
	ins.disconnects = counter(metricCoherenceDisconnects,
		"Times the L1's invalidation subscription lost its connection.", "{disconnect}")
	ins.coherence, err = m.Int64ObservableGauge(metricCoherenceState,
		metric.WithDescription("1 for the current state of the L1's invalidation subscription, 0 for the others."),
		metric.WithUnit("{state}"))
	errs = append(errs, err)
	ins.l1Entries, err = m.Int64ObservableUpDownCounter(metricL1Entries,
		metric.WithDescription("Entries in the L1."), metric.WithUnit("{entry}"))
	errs = append(errs, err)
	ins.l1Size, err = m.Int64ObservableUpDownCounter(metricL1Size,
		metric.WithDescription("Bytes held by the L1 (keys plus stored values)."), metric.WithUnit("By"))
	errs = append(errs, err)
	observables := []metric.Observable{ins.requests, ins.memoCalls, ins.loaderRuns}
	if c.l1 != nil {
		observables = append(observables, ins.l1Entries, ins.l1Size, ins.evictions, ins.invalidations,
			ins.disconnects, ins.coherence)
	}
	if c.reliable != nil {
		ins.breaker, err = m.Int64ObservableGauge(metricBreakerState,
			metric.WithDescription("1 for the circuit breaker's current state, 0 for the others."),
			metric.WithUnit("{state}"))
		errs = append(errs, err)
		observables = append(observables, ins.breaker)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("creating the OpenTelemetry instruments: %w", err)
	}
	cb := newObserver(c, t, ins, base)
	reg, err := m.RegisterCallback(cb.observe, observables...)
	if err != nil {
		return fmt.Errorf("registering the OpenTelemetry callback: %w", err)
	}
	t.reg = reg
	return nil
}

// close unregisters the metrics callback: a closed client reports no more
// asynchronous measurements.
func (t *telemetry) close() error {
	if t == nil || t.reg == nil {
		return nil
	}
	return t.reg.Unregister()
}

// count records one successful outcome of op.
func (t *telemetry) count(op telOp, r telResult) {
	if t == nil {
		return
	}
	t.results[op][r].Add(1)
}

// countError records one failure of op.
func (t *telemetry) countError(op telOp, k Kind) {
	if t == nil || int(k) >= numKinds {
		return
	}
	t.errors[op][k].Add(1)
}

// opSpan is one traced and timed operation; its zero value (no telemetry) does nothing.
type opSpan struct {
	t     *telemetry
	op    telOp
	span  trace.Span // nil without a tracer
	start time.Time
}

// start begins the span and the timing of op on key. Without telemetry it returns ctx
// and a no-op opSpan.
func (t *telemetry) start(ctx context.Context, op telOp, key string) (context.Context, opSpan) {
	if t == nil {
		return ctx, opSpan{}
	}
	return t.begin(ctx, op, key)
}

func (t *telemetry) begin(ctx context.Context, op telOp, key string) (context.Context, opSpan) {
	s := opSpan{t: t, op: op}
	if t.tracer != nil {
		opts := t.spanStart[op]
		if t.keys && key != "" {
			attrs := t.opAttrs[op]
			attrs = append(attrs[:len(attrs):len(attrs)], attrKey.String(key))
			opts = []trace.SpanStartOption{opts[0], trace.WithAttributes(attrs...)}
		}
		ctx, s.span = t.tracer.Start(ctx, t.spanNames[op], opts...)
	}
	if t.duration != nil {
		s.start = time.Now()
	}
	return ctx, s
}

// set adds an attribute to the span. It takes one attribute, not a variadic list, so
// that a call without telemetry builds no slice.
func (s opSpan) set(kv attribute.KeyValue) {
	if s.span != nil {
		s.span.SetAttributes(kv)
	}
}

// end finishes the span: it records the duration, counts r (unless resultNone) when
// err is nil, and marks the span failed with the error's kind otherwise. The error's
// message is never recorded: it may hold the key or a backend's reply.
func (s opSpan) end(r telResult, err error) {
	if s.t != nil {
		s.finish(r, err)
	}
}

func (s opSpan) finish(r telResult, err error) {
	t := s.t
	if err == nil && r != resultNone {
		t.count(s.op, r)
	}
	if t.duration != nil {
		opts := t.durationOpts[s.op]
		if err != nil {
			base := t.opAttrs[s.op]
			attrs := append(base[:len(base):len(base)], attrErrorType.String(errorType(err)))
			opts = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
		}
		t.duration.Record(context.Background(), time.Since(s.start).Seconds(), opts...)
	}
	if s.span == nil {
		return
	}
	if err != nil {
		et := errorType(err)
		s.span.SetAttributes(attrResult.String("error"), attrErrorType.String(et))
		s.span.SetStatus(codes.Error, et)
	} else if r != resultNone {
		s.span.SetAttributes(attrResult.String(resultNames[r]))
	}
	s.span.End()
}

// backendName names b for attrBackend: the innermost backend of the wrapper chain, by
// its Name method when it has one, else by the name of its package ("redis", "memory",
// ...), which is what every backend of this module reports in its HealthStatus.
func backendName(b backend.Backend) string {
	for range 16 {
		u, ok := b.(interface{ Unwrap() backend.Backend })
		if !ok {
			break
		}
		inner := u.Unwrap()
		if inner == nil {
			break
		}
		b = inner
	}
	if n, ok := b.(interface{ Name() string }); ok {
		return n.Name()
	}
	typ := reflect.TypeOf(b)
	for typ != nil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == nil {
		return "unknown"
	}
	name := typ.String() // "memory.Backend": the package name, then the type's
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

// observer reports the client's counters when the meter collects.
type observer struct {
	c   *Client
	t   *telemetry
	ins instruments

	// The attribute sets of each series, built once: a collection allocates nothing.
	requestOpts [numOps][numResults][]metric.ObserveOption
	errorOpts   [numOps][numKinds][]metric.ObserveOption
	base        []metric.ObserveOption
	evicted     [2][]metric.ObserveOption // size, expired
	memo        [4][]metric.ObserveOption // hit, stale, negative_hit, miss
	breaker     [3][]metric.ObserveOption // closed, open, half_open
	coherence   [3][]metric.ObserveOption // by coherenceState
}

// coherenceState is the index in observer.coherence of the state cs is in:
// 0 connected, 1 disconnected, 2 unsubscribed.
func coherenceState(cs CoherenceStats) int {
	switch {
	case cs.Connected:
		return 0
	case cs.Subscribed:
		return 1
	}
	return 2
}

func newObserver(c *Client, t *telemetry, ins instruments, base []attribute.KeyValue) *observer {
	with := func(extra ...attribute.KeyValue) []metric.ObserveOption {
		attrs := append(base[:len(base):len(base)], extra...)
		return []metric.ObserveOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
	}
	o := &observer{c: c, t: t, ins: ins, base: with()}
	for op := range numOps {
		opAttr := attrOperation.String(opNames[op])
		for r := resultL1Hit; r < numResults; r++ {
			o.requestOpts[op][r] = with(opAttr, attrResult.String(resultNames[r]))
		}
		for k := KindBackendTransient; int(k) < numKinds; k++ {
			o.errorOpts[op][k] = with(opAttr, attrResult.String("error"), attrErrorType.String(kindLabel(k)))
		}
	}
	o.evicted = [2][]metric.ObserveOption{with(attrEvictionReason.String("size")), with(attrEvictionReason.String("expired"))}
	for i, r := range []string{"hit", "stale", "negative_hit", "miss"} {
		o.memo[i] = with(attrMemoResult.String(r))
	}
	for i, s := range []string{"closed", "open", "half_open"} {
		o.breaker[i] = with(attrBreakerState.String(s))
	}
	for i, s := range []string{"connected", "disconnected", "unsubscribed"} {
		o.coherence[i] = with(attrCoherenceState.String(s))
	}
	return o
}

// observe is the metric callback: atomic loads of counters the client keeps anyway.
// Outcomes that never happened are not reported, so idle operations add no series.
func (o *observer) observe(_ context.Context, obs metric.Observer) error {
	c, t, ins := o.c, o.t, o.ins
	for op := range numOps {
		for r := resultL1Hit; r < numResults; r++ {
			if n := t.results[op][r].Load(); n > 0 {
				obs.ObserveInt64(ins.requests, int64(n), o.requestOpts[op][r]...)
			}
		}
		for k := KindBackendTransient; int(k) < numKinds; k++ {
			if n := t.errors[op][k].Load(); n > 0 {
				obs.ObserveInt64(ins.requests, int64(n), o.errorOpts[op][k]...)
			}
		}
	}
	s := &c.stats
	for i, n := range [4]uint64{s.memoHits.Load(), s.memoStale.Load(), s.memoNegative.Load(), s.memoMisses.Load()} {
		obs.ObserveInt64(ins.memoCalls, int64(n), o.memo[i]...)
	}
	obs.ObserveInt64(ins.loaderRuns, int64(s.memoLoads.Load()), o.base...)
	if c.l1 != nil {
		obs.ObserveInt64(ins.l1Entries, int64(c.l1.Len()), o.base...)
		obs.ObserveInt64(ins.l1Size, c.l1.Bytes(), o.base...)
		obs.ObserveInt64(ins.evictions, int64(c.l1.Evictions()), o.evicted[0]...)
		obs.ObserveInt64(ins.evictions, int64(c.l1.Expirations()), o.evicted[1]...)
		obs.ObserveInt64(ins.invalidations, int64(s.invalidations.Load()), o.base...)
		cs := c.coherenceStats()
		obs.ObserveInt64(ins.disconnects, int64(cs.Disconnects), o.base...)
		current := coherenceState(cs)
		for i := range o.coherence {
			var v int64
			if i == current {
				v = 1
			}
			obs.ObserveInt64(ins.coherence, v, o.coherence[i]...)
		}
	}
	if c.reliable != nil {
		state := c.reliable.Stats().State
		for i, st := range [3]reliability.State{reliability.StateClosed, reliability.StateOpen, reliability.StateHalfOpen} {
			var v int64
			if state == st {
				v = 1
			}
			obs.ObserveInt64(ins.breaker, v, o.breaker[i]...)
		}
	}
	return nil
}
