package cachekit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// telemetryRig is an SDK tracer provider recording every span and an SDK meter
// provider read by hand.
type telemetryRig struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetryRig(t testing.TB) *telemetryRig {
	t.Helper()
	r := &telemetryRig{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	r.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() {
		_ = r.tp.Shutdown(context.Background())
		_ = r.mp.Shutdown(context.Background())
	})
	return r
}

// options puts the rig's providers into o.
func (r *telemetryRig) options(o Options) Options {
	o.TracerProvider, o.MeterProvider = r.tp, r.mp
	return o
}

// ended returns the spans ended since the first skip ones.
func (r *telemetryRig) ended(skip int) []sdktrace.ReadOnlySpan { return r.spans.Ended()[skip:] }

// collect reads the metrics of the client's instrumentation scope, by name.
func (r *telemetryRig) collect(t testing.TB) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != InstrumentationName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, InstrumentationName)
			continue
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// attrsOf renders a set as "k=v" strings, sorted.
func attrsOf(kvs []attribute.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value.Emit()
	}
	return out
}

// matches reports whether every attribute of want is in got.
func matches(got map[string]string, want map[string]string) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// intSum adds the points of an int64 sum (or gauge) whose attributes include want.
func intSum(t testing.TB, data metricdata.Aggregation, want map[string]string) int64 {
	t.Helper()
	var points []metricdata.DataPoint[int64]
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		points = d.DataPoints
	case metricdata.Gauge[int64]:
		points = d.DataPoints
	case nil:
		return 0
	default:
		t.Fatalf("aggregation %T, want an int64 sum or gauge", data)
	}
	var n int64
	for _, p := range points {
		if matches(attrsOf(p.Attributes.ToSlice()), want) {
			n += p.Value
		}
	}
	return n
}

// histCount adds the counts of the histogram points whose attributes include want.
func histCount(t testing.TB, data metricdata.Aggregation, want map[string]string) uint64 {
	t.Helper()
	if data == nil {
		return 0
	}
	h, ok := data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("aggregation %T, want a float64 histogram", data)
	}
	var n uint64
	for _, p := range h.DataPoints {
		if matches(attrsOf(p.Attributes.ToSlice()), want) {
			n += p.Count
		}
	}
	return n
}

// namedFake is a fakeBackend that names itself, as a third-party backend may.
type namedFake struct{ *fakeBackend }

func (namedFake) Name() string { return "fake" }

// namedBatch is a batchBackend that names itself.
type namedBatch struct{ *batchBackend }

func (namedBatch) Name() string { return "fake" }

// newTelemetryClient builds a client over a named fake backend with the rig's
// providers and the namespace "app".
func newTelemetryClient(t testing.TB, r *telemetryRig, o Options) (*Client, *fakeBackend) {
	t.Helper()
	fb := newFakeBackend()
	if o.Backend == nil {
		o.Backend = namedFake{fb}
	}
	if o.Namespace == "" {
		o.Namespace = "app"
	}
	return newClient(t, r.options(o)), fb
}

func TestTelemetrySpans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	noL1 := L1Options{Disabled: true}
	tests := []struct {
		name  string
		l1    L1Options
		setup func(c *Client) // before the recorded operation; its spans are ignored
		op    func(c *Client) error
		span  string // "" for none
		res   string
		extra map[string]string
	}{
		{
			name:  "get from the L1 makes no span",
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.Get(ctx, "k", new(string)); return err },
		},
		{
			name:  "get from the backend",
			l1:    noL1,
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.Get(ctx, "k", new(string)); return err },
			span:  "cachekit.get", res: "l2_hit",
		},
		{
			name: "get miss",
			op:   func(c *Client) error { _, err := c.Get(ctx, "k", new(string)); return err },
			span: "cachekit.get", res: "miss",
		},
		{
			name: "set",
			op:   func(c *Client) error { return c.Set(ctx, "k", "v") },
			span: "cachekit.set", res: "ok",
		},
		{
			name:  "delete",
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.Delete(ctx, "k"); return err },
			span:  "cachekit.delete", res: "ok",
		},
		{
			name:  "exists from the L1 makes no span",
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.Exists(ctx, "k"); return err },
		},
		{
			name:  "exists from the backend",
			l1:    noL1,
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.Exists(ctx, "k"); return err },
			span:  "cachekit.exists", res: "l2_hit",
		},
		{
			name: "exists miss",
			op:   func(c *Client) error { _, err := c.Exists(ctx, "k"); return err },
			span: "cachekit.exists", res: "miss",
		},
		{
			name:  "ttl",
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, _, err := c.TTL(ctx, "k"); return err },
			span:  "cachekit.ttl", res: "ok",
		},
		{
			name:  "refresh ttl",
			setup: func(c *Client) { _ = c.Set(ctx, "k", "v") },
			op:    func(c *Client) error { _, err := c.RefreshTTL(ctx, "k", time.Minute); return err },
			span:  "cachekit.refresh_ttl", res: "ok",
		},
		{
			name:  "get many",
			setup: func(c *Client) { _ = c.Set(ctx, "a", 1) },
			op:    func(c *Client) error { _, err := c.GetMany(ctx, []string{"a", "b", "c"}); return err },
			span:  "cachekit.get_many",
			extra: map[string]string{"cachekit.batch.size": "2"},
		},
		{
			name:  "get many from the L1 makes no span",
			setup: func(c *Client) { _ = c.Set(ctx, "a", 1) },
			op:    func(c *Client) error { _, err := c.GetMany(ctx, []string{"a"}); return err },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTelemetryRig(t)
			c, _ := newTelemetryClient(t, r, Options{L1: tt.l1})
			if tt.setup != nil {
				tt.setup(c)
			}
			skip := len(r.spans.Ended())
			if err := tt.op(c); err != nil {
				t.Fatalf("operation: %v", err)
			}
			spans := r.ended(skip)
			if tt.span == "" {
				if len(spans) != 0 {
					t.Fatalf("got %d spans (%s), want none", len(spans), spans[0].Name())
				}
				return
			}
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			s := spans[0]
			if s.Name() != tt.span {
				t.Errorf("span %q, want %q", s.Name(), tt.span)
			}
			if s.SpanKind() != trace.SpanKindClient {
				t.Errorf("span kind %v, want client", s.SpanKind())
			}
			if s.Status().Code != codes.Unset {
				t.Errorf("status %v, want unset", s.Status())
			}
			got := attrsOf(s.Attributes())
			want := map[string]string{
				"cache.operation": strings.TrimPrefix(tt.span, "cachekit."),
				"cache.namespace": "app",
				"cache.backend":   "fake",
			}
			if tt.res != "" {
				want["cache.result"] = tt.res
			}
			for k, v := range tt.extra {
				want[k] = v
			}
			if !matches(got, want) {
				t.Errorf("attributes %v, want at least %v", got, want)
			}
			if _, ok := got["cache.key"]; ok {
				t.Errorf("attributes %v hold cache.key without Options.TelemetryKeys", got)
			}
		})
	}
}

func TestTelemetryKeyAttribute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const key = "user:alice@example.com"
	for _, withKeys := range []bool{false, true} {
		t.Run(fmt.Sprint("TelemetryKeys=", withKeys), func(t *testing.T) {
			t.Parallel()
			r := newTelemetryRig(t)
			c, _ := newTelemetryClient(t, r, Options{TelemetryKeys: withKeys})
			if err := c.Set(ctx, key, "secret value"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(ctx, key, new(string)); err != nil {
				t.Fatal(err)
			}
			spans := r.spans.Ended()
			if len(spans) != 3 {
				t.Fatalf("got %d spans, want 3", len(spans))
			}
			for _, s := range spans {
				got := attrsOf(s.Attributes())
				if withKeys && got["cache.key"] != key {
					t.Errorf("%s: cache.key = %q, want %q", s.Name(), got["cache.key"], key)
				}
				for k, v := range got {
					if strings.Contains(v, "secret value") || (!withKeys && strings.Contains(v, "alice")) {
						t.Errorf("%s: attribute %s = %q leaks the key or the value", s.Name(), k, v)
					}
				}
			}
			// Metrics never carry keys, whatever the option says.
			for name, data := range r.collect(t) {
				if strings.Contains(fmt.Sprint(data), "alice") {
					t.Errorf("metric %s holds the key: %v", name, data)
				}
			}
		})
	}
}

func TestTelemetryErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newTelemetryRig(t)
	c, fb := newTelemetryClient(t, r, Options{TelemetryKeys: false})
	fb.fail(transientFailure("get"), backend.NewError(backend.KindPermanent, "fake", "set", "", errInjected), nil)

	_, err := c.Get(ctx, "k", new(string))
	wantKind(t, err, KindBackendTransient)
	err = c.Set(ctx, "k", "v")
	wantKind(t, err, KindBackendPermanent)
	_, err = c.Get(ctx, "", new(string)) // invalid key: no backend call, no span
	wantKind(t, err, KindInvalidKey)

	spans := r.spans.Ended()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want 2 (the invalid key reaches no backend)", len(spans))
	}
	for i, want := range []struct{ name, kind string }{
		{"cachekit.get", "backend_transient"},
		{"cachekit.set", "backend_permanent"},
	} {
		s := spans[i]
		if s.Name() != want.name {
			t.Errorf("span %d = %q, want %q", i, s.Name(), want.name)
		}
		if s.Status().Code != codes.Error || s.Status().Description != want.kind {
			t.Errorf("%s: status %+v, want Error %q", s.Name(), s.Status(), want.kind)
		}
		got := attrsOf(s.Attributes())
		if got["error.type"] != want.kind || got["cache.result"] != "error" {
			t.Errorf("%s: attributes %v, want error.type=%s cache.result=error", s.Name(), got, want.kind)
		}
		// The message (which names the key and the backend's reply) is never recorded.
		if len(s.Events()) != 0 {
			t.Errorf("%s: events %v, want none", s.Name(), s.Events())
		}
		if strings.Contains(fmt.Sprint(got, s.Status()), errInjected.Error()) {
			t.Errorf("%s: the error message leaked into %v", s.Name(), got)
		}
	}

	m := r.collect(t)
	stats := c.Stats()
	for _, tc := range []struct {
		op   string
		kind Kind
	}{{"get", KindBackendTransient}, {"set", KindBackendPermanent}, {"get", KindInvalidKey}} {
		want := int64(stats.Errors[tc.kind])
		got := intSum(t, m[metricRequests], map[string]string{
			"cache.operation": tc.op, "cache.result": "error", "error.type": kindLabel(tc.kind),
		})
		if want != 1 || got != want {
			t.Errorf("requests{%s, %v} = %d, Stats().Errors = %d, want 1 each", tc.op, tc.kind, got, want)
		}
	}
	if n := histCount(t, m[metricOperationDuration], map[string]string{"cache.operation": "get", "error.type": "backend_transient"}); n != 1 {
		t.Errorf("failed get durations = %d, want 1", n)
	}
}

// spanSeeingBackend records the span context each Get receives.
type spanSeeingBackend struct {
	namedFake
	seen atomic.Value // trace.SpanContext
}

func (b *spanSeeingBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b.seen.Store(trace.SpanContextFromContext(ctx))
	return b.fakeBackend.Get(ctx, key)
}

func TestTelemetryContextPropagation(t *testing.T) {
	t.Parallel()
	r := newTelemetryRig(t)
	sb := &spanSeeingBackend{namedFake: namedFake{newFakeBackend()}}
	c, _ := newTelemetryClient(t, r, Options{Backend: sb})
	ctx, parent := r.tp.Tracer("test").Start(context.Background(), "request")
	if _, err := c.Get(ctx, "k", new(string)); err != nil {
		t.Fatal(err)
	}
	parent.End()
	spans := r.spans.Ended()
	if len(spans) != 2 || spans[0].Name() != "cachekit.get" {
		t.Fatalf("spans = %v, want cachekit.get then request", spans)
	}
	get := spans[0]
	if get.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("cachekit.get parent %v, want the caller's span %v", get.Parent().SpanID(), parent.SpanContext().SpanID())
	}
	if seen, _ := sb.seen.Load().(trace.SpanContext); seen.SpanID() != get.SpanContext().SpanID() {
		t.Errorf("the backend saw span %v, want cachekit.get's %v", seen.SpanID(), get.SpanContext().SpanID())
	}
}

func TestTelemetryMetricsMatchOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newTelemetryRig(t)
	bb := &batchBackend{fakeBackend: newFakeBackend()}
	c, _ := newTelemetryClient(t, r, Options{Backend: namedBatch{bb}, TelemetryKeys: true})
	fb := bb.fakeBackend

	// A second client writes past c's L1, so c's reads of those keys reach the backend.
	other := newClient(t, Options{Backend: fb, Namespace: "app"})
	for _, k := range []string{"x", "y"} {
		if err := other.Set(ctx, k, k); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := c.Set(ctx, fmt.Sprint("k", i), i); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 { // three L1 hits
		if _, err := c.Get(ctx, fmt.Sprint("k", i), new(int)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Get(ctx, "x", new(string)); err != nil { // backend hit, backfilled
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "x", new(string)); err != nil { // L1 hit
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "nope", new(string)); err != nil { // miss
		t.Fatal(err)
	}
	// get_many: k0 from the L1, y from the backend, z missing.
	if _, err := c.GetMany(ctx, []string{"k0", "y", "z"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exists(ctx, "k2"); err != nil { // L1
		t.Fatal(err)
	}

	m := r.collect(t)
	req := func(op, res string) int64 {
		return intSum(t, m[metricRequests], map[string]string{"cache.operation": op, "cache.result": res})
	}
	for _, tc := range []struct {
		op, res string
		want    int64
	}{
		{"set", "ok", 3},
		{"get", "l1_hit", 4},
		{"get", "l2_hit", 1},
		{"get", "miss", 1},
		{"get_many", "l1_hit", 1},
		{"get_many", "l2_hit", 1},
		{"get_many", "miss", 1},
		{"delete", "ok", 1},
		{"exists", "l1_hit", 1},
		{"exists", "miss", 0},
	} {
		if got := req(tc.op, tc.res); got != tc.want {
			t.Errorf("requests{%s, %s} = %d, want %d", tc.op, tc.res, got, tc.want)
		}
	}
	// The read outcomes agree with Stats, which counts get, get_many and memoize reads.
	s := c.Stats()
	sum := func(res string) uint64 { return uint64(req("get", res) + req("get_many", res) + req("memoize", res)) }
	if sum("l1_hit") != s.L1Hits || sum("l2_hit") != s.L2Hits || sum("miss") != s.Misses {
		t.Errorf("requests l1/l2/miss = %d/%d/%d, Stats = %d/%d/%d",
			sum("l1_hit"), sum("l2_hit"), sum("miss"), s.L1Hits, s.L2Hits, s.Misses)
	}
	// One duration per operation that reached the backend, as the backend counted them.
	dur := m[metricOperationDuration]
	if got, want := histCount(t, dur, map[string]string{"cache.operation": "get"}), uint64(fb.gets.Load()); got != want {
		t.Errorf("get durations = %d, backend Gets = %d", got, want)
	}
	if got, want := histCount(t, dur, map[string]string{"cache.operation": "set"}), uint64(fb.sets.Load())-2; got != want {
		t.Errorf("set durations = %d, backend Sets by c = %d", got, want)
	}
	if got := histCount(t, dur, map[string]string{"cache.operation": "get_many"}); got != 1 || bb.batches.Load() != 1 {
		t.Errorf("get_many durations = %d, batches = %d, want 1 each", got, bb.batches.Load())
	}
	if got := histCount(t, dur, map[string]string{"cache.operation": "exists"}); got != 0 {
		t.Errorf("exists durations = %d, want 0 (answered by the L1)", got)
	}
	if got, want := intSum(t, m[metricL1Entries], nil), int64(s.L1Entries); got != want || want == 0 {
		t.Errorf("l1.entries = %d, Stats().L1Entries = %d", got, want)
	}
	if got, want := intSum(t, m[metricL1Size], nil), s.L1Bytes; got != want || want == 0 {
		t.Errorf("l1.size = %d, Stats().L1Bytes = %d", got, want)
	}
	// Every point carries the client's identity and never a key.
	for name, data := range m {
		text := fmt.Sprint(data)
		if !strings.Contains(text, "cache.namespace") || !strings.Contains(text, "cache.backend") {
			t.Errorf("%s lacks the client attributes: %v", name, data)
		}
		if strings.Contains(text, "cache.key") || strings.Contains(text, "nope") {
			t.Errorf("%s holds a key: %v", name, data)
		}
	}
	if _, ok := m[metricBreakerState]; ok {
		t.Errorf("%s reported without the reliability middleware", metricBreakerState)
	}
}

func TestTelemetryMemoize(t *testing.T) {
	t.Parallel()
	r := newTelemetryRig(t)
	c, _ := newTelemetryClient(t, r, Options{})
	var runs atomic.Int64
	errLoad := errors.New("load failed")
	get := mustMemoize1(t, c, "square", func(_ context.Context, n int) (int, error) {
		runs.Add(1)
		if n < 0 {
			return 0, errLoad
		}
		return n * n, nil
	})
	ctx, parent := r.tp.Tracer("test").Start(context.Background(), "request")
	for _, n := range []int{3, 3, 4, -1} {
		if _, err := get(ctx, n); err != nil && !errors.Is(err, errLoad) {
			t.Fatal(err)
		}
	}
	parent.End()

	var loads []sdktrace.ReadOnlySpan
	reads := 0
	for _, s := range r.spans.Ended() {
		switch s.Name() {
		case "cachekit.memoize_load":
			loads = append(loads, s)
		case "cachekit.memoize":
			reads++
			if got := attrsOf(s.Attributes()); got["cache.result"] != "miss" || got["cachekit.memoize.function"] != "square" {
				t.Errorf("memoize read span attributes %v", got)
			}
		}
	}
	if int64(len(loads)) != runs.Load() || len(loads) != 3 {
		t.Fatalf("memoize_load spans = %d, loader runs = %d, want 3", len(loads), runs.Load())
	}
	if reads == 0 {
		t.Error("no cachekit.memoize span for the misses")
	}
	for i, s := range loads {
		if s.SpanKind() != trace.SpanKindInternal || s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("load %d: kind %v parent %v, want internal under the caller's span", i, s.SpanKind(), s.Parent().SpanID())
		}
		wantErr := i == 2
		if (s.Status().Code == codes.Error) != wantErr || (wantErr && s.Status().Description != "loader") {
			t.Errorf("load %d: status %+v", i, s.Status())
		}
	}

	m := r.collect(t)
	if got := intSum(t, m[metricMemoLoaderRuns], nil); got != runs.Load() {
		t.Errorf("loader.runs = %d, want %d", got, runs.Load())
	}
	if got := intSum(t, m[metricMemoCalls], map[string]string{"cachekit.memoize.result": "hit"}); got != 1 {
		t.Errorf("memoize.calls{hit} = %d, want 1 (the second call of 3)", got)
	}
	if got := intSum(t, m[metricMemoCalls], map[string]string{"cachekit.memoize.result": "miss"}); got != 3 {
		t.Errorf("memoize.calls{miss} = %d, want 3", got)
	}
	if got := intSum(t, m[metricRequests], map[string]string{"cache.operation": "memoize", "cache.result": "l1_hit"}); got != 1 {
		t.Errorf("requests{memoize, l1_hit} = %d, want 1", got)
	}
}

func TestTelemetryBreakerState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newTelemetryRig(t)
	rel := reliability.Options{}
	rel.Retry.Disabled = true
	rel.Breaker.FailureThreshold = 2
	rel.Breaker.OpenDuration = time.Hour
	c, fb := newTelemetryClient(t, r, Options{Reliability: &rel, Logger: slog.New(slog.DiscardHandler)})

	state := func() map[string]int64 {
		data := r.collect(t)[metricBreakerState]
		out := map[string]int64{}
		for _, s := range []string{"closed", "open", "half_open"} {
			out[s] = intSum(t, data, map[string]string{"cachekit.breaker.state": s, "cache.backend": "fake"})
		}
		return out
	}
	if got := state(); got["closed"] != 1 || got["open"] != 0 || got["half_open"] != 0 {
		t.Errorf("breaker state before failures = %v, want closed", got)
	}
	fb.fail(transientFailure("get"), nil, nil)
	for range 2 {
		_, _ = c.Get(ctx, "k", new(string))
	}
	if c.Stats().Reliability.State != reliability.StateOpen {
		t.Fatalf("the breaker did not open: %+v", c.Stats().Reliability)
	}
	if got := state(); got["closed"] != 0 || got["open"] != 1 || got["half_open"] != 0 {
		t.Errorf("breaker state after failures = %v, want open", got)
	}
}

// TestTelemetryCoherence: the coherence gauge follows the subscription through an
// outage and the disconnect counter agrees with Stats; a client without a subscription
// reports itself unsubscribed.
func TestTelemetryCoherence(t *testing.T) {
	t.Parallel()
	r := newTelemetryRig(t)
	ib := newInvalidatingBackend()
	c, _ := newTelemetryClient(t, r, Options{Backend: ib})
	newTelemetryClient(t, r, Options{Namespace: "plain"}) // a fake without Invalidator

	check := func(when, wantState string, wantDisconnects int64) {
		t.Helper()
		m := r.collect(t)
		for _, st := range []string{"connected", "disconnected", "unsubscribed"} {
			want := int64(0)
			if st == wantState {
				want = 1
			}
			got := intSum(t, m[metricCoherenceState], map[string]string{"cache.namespace": "app", "cachekit.coherence.state": st})
			if got != want {
				t.Errorf("%s: %s{%s} = %d, want %d", when, metricCoherenceState, st, got, want)
			}
		}
		if got := intSum(t, m[metricCoherenceDisconnects], map[string]string{"cache.namespace": "app"}); got != wantDisconnects ||
			uint64(got) != c.Stats().Coherence.Disconnects {
			t.Errorf("%s: %s = %d, want %d (Stats: %d)", when, metricCoherenceDisconnects, got, wantDisconnects, c.Stats().Coherence.Disconnects)
		}
		if got := intSum(t, m[metricCoherenceState], map[string]string{"cache.namespace": "plain", "cachekit.coherence.state": "unsubscribed"}); got != 1 {
			t.Errorf("%s: the client without invalidation reports unsubscribed = %d, want 1", when, got)
		}
	}
	check("after New", "connected", 0)
	ib.send(backend.Invalidation{Disconnected: true})
	check("disconnected", "disconnected", 1)
	ib.send(backend.Invalidation{})
	check("reconnected", "connected", 1)
}

func TestTelemetryCloseUnregisters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newTelemetryRig(t)
	c, _ := newTelemetryClient(t, r, Options{})
	if err := c.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	before := r.collect(t)
	for _, name := range []string{metricRequests, metricL1Entries, metricMemoLoaderRuns} {
		if before[name] == nil {
			t.Fatalf("%s not reported while the client is open", name)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	after := r.collect(t)
	for _, name := range []string{metricRequests, metricL1Entries, metricL1Size, metricL1Evictions, metricMemoCalls, metricMemoLoaderRuns} {
		if data, ok := after[name]; ok {
			t.Errorf("%s still reported after Close: %v", name, data)
		}
	}
}

// TestTelemetryNoGlobalProviders proves a client without providers ignores the
// global ones: telemetry is explicit.
func TestTelemetryNoGlobalProviders(t *testing.T) { //nolint:paralleltest // changes the otel globals
	ctx := context.Background()
	r := newTelemetryRig(t)
	otel.SetTracerProvider(r.tp)
	otel.SetMeterProvider(r.mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(tracenoop.NewTracerProvider())
		otel.SetMeterProvider(metricnoop.NewMeterProvider())
	})
	c := newClient(t, Options{Namespace: "app", L1: L1Options{Disabled: true}})
	if c.tel != nil {
		t.Fatal("a client without providers has telemetry")
	}
	_ = c.Set(ctx, "k", 1)
	_, _ = c.Get(ctx, "k", new(int))
	if n := len(r.spans.Ended()); n != 0 {
		t.Errorf("%d spans went to the global provider", n)
	}
	if m := r.collect(t); len(m) != 0 {
		t.Errorf("metrics went to the global provider: %v", m)
	}
}

// TestTelemetryL1HitAllocations proves telemetry adds no allocation to an L1 hit:
// allocation counts are deterministic, unlike timings. The baseline is the hit's own
// work (L1 lookup, unwrap, decode) done by hand.
func TestTelemetryL1HitAllocations(t *testing.T) {
	ctx := context.Background()
	r := newTelemetryRig(t)
	off := newClient(t, Options{Namespace: "app"})
	on := newClient(t, r.options(Options{Namespace: "app"}))
	type user struct {
		ID   int    `msgpack:"id"`
		Name string `msgpack:"name"`
	}
	for _, c := range []*Client{off, on} {
		if err := c.Set(ctx, "u", user{ID: 1, Name: "Ada"}); err != nil {
			t.Fatal(err)
		}
	}
	hit := func(c *Client) float64 {
		return testing.AllocsPerRun(200, func() {
			var u user
			if found, err := c.Get(ctx, "u", &u); err != nil || !found {
				t.Fatalf("Get = %v, %v", found, err)
			}
		})
	}
	baseline := testing.AllocsPerRun(200, func() {
		e, ok := off.l1.Get("u")
		if !ok {
			t.Fatal("not in the L1")
		}
		data, err := off.unwrap("get", "u", e.Value, false)
		if err != nil {
			t.Fatal(err)
		}
		var u user
		if err := off.decode("get", "u", data, &u, false); err != nil {
			t.Fatal(err)
		}
	})
	offAllocs, onAllocs := hit(off), hit(on)
	if offAllocs != baseline {
		t.Errorf("L1 hit without telemetry: %v allocs, the hit's own work: %v", offAllocs, baseline)
	}
	if onAllocs != offAllocs {
		t.Errorf("L1 hit with telemetry: %v allocs, without: %v", onAllocs, offAllocs)
	}
	if got := intSum(t, r.collect(t)[metricRequests], map[string]string{"cache.result": "l1_hit"}); got < 200 {
		t.Errorf("requests{l1_hit} = %d, want the hits counted", got)
	}
}

func TestBackendName(t *testing.T) {
	t.Parallel()
	mem, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mem.Close() })
	wrapped, err := reliability.New(namedFake{newFakeBackend()}, reliability.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    backend.Backend
		want string
	}{
		{"package name", mem, "memory"},
		{"Name method", namedFake{newFakeBackend()}, "fake"},
		{"through a wrapper", wrapped, "fake"},
		{"test type", newFakeBackend(), "cachekit"},
	}
	for _, tt := range tests {
		if got := backendName(tt.b); got != tt.want {
			t.Errorf("%s: backendName = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestOpOf(t *testing.T) {
	t.Parallel()
	// Every Op an *Error of the client carries maps to the operation of its span.
	tests := map[string]telOp{
		"get": opGet, "get many": opGetMany, "decode": opGetMany, "set": opSet,
		"delete": opDelete, "exists": opExists, "ttl": opTTL, "refresh ttl": opRefreshTTL,
		"memoize": opMemoize, "memoize users": opMemoize, "health": opHealth,
		"new": opOther, "secure": opOther, "memoizer": opOther,
	}
	for op, want := range tests {
		if got := opOf(op); got != want {
			t.Errorf("opOf(%q) = %s, want %s", op, opNames[got], opNames[want])
		}
	}
	if i := slices.Index(opNames[:], ""); i >= 0 {
		t.Errorf("operation %d has no name", i)
	}
}

// BenchmarkGetTelemetry measures Get with telemetry off, with metrics only, with traces
// only and with both (SDK providers, every span sampled), for L1 hits and for hits of
// the memory backend, in the same run.
func BenchmarkGetTelemetry(b *testing.B) {
	ctx := context.Background()
	keys := benchKeyNames()
	user := benchUser{ID: 42, Name: "Ada Lovelace", Active: true}
	for _, tier := range []struct {
		name string
		l1   L1Options
	}{{"l1_hit", L1Options{}}, {"l2_hit", L1Options{Disabled: true}}} {
		for _, tel := range []string{"off", "metrics", "traces", "on"} {
			b.Run(tier.name+"/"+tel, func(b *testing.B) {
				o := Options{Namespace: "bench", L1: tier.l1}
				if tel == "traces" || tel == "on" {
					tp := sdktrace.NewTracerProvider() // spans sampled and ended, exported nowhere
					b.Cleanup(func() { _ = tp.Shutdown(ctx) })
					o.TracerProvider = tp
				}
				if tel == "metrics" || tel == "on" {
					mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
					b.Cleanup(func() { _ = mp.Shutdown(ctx) })
					o.MeterProvider = mp
				}
				c := benchClient(b, o)
				for _, k := range keys {
					if err := c.Set(ctx, k, user); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					var u benchUser
					if found, err := c.Get(ctx, keys[i%benchKeys], &u); err != nil || !found {
						b.Fatal("miss", err)
					}
				}
			})
		}
	}
}

func TestTelemetryMemoizeRefreshSpan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newTelemetryRig(t)
	c, _, clk := newMemoClient(t, r.options(Options{}))
	v := &versioned{}
	get := mustMemoize1(t, c, "op", v.load, MemoTTL(100*time.Second))
	if _, err := get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(60 * time.Second) // past the highest stale threshold (55 s)
	if got, err := get(ctx, "a"); err != nil || got != "a@v1" {
		t.Fatalf("stale call = %q, %v, want a@v1", got, err)
	}
	waitRefreshes(c)
	var refreshes int
	for _, s := range r.spans.Ended() {
		if got := attrsOf(s.Attributes()); s.Name() == "cachekit.memoize_load" && got["cachekit.memoize.refresh"] == "true" {
			refreshes++
			if s.Status().Code != codes.Unset || got["cachekit.memoize.function"] != "op" {
				t.Errorf("refresh span status %+v attributes %v", s.Status(), got)
			}
		}
	}
	if refreshes != 1 || v.runs.Load() != 2 {
		t.Errorf("refresh spans = %d after %d runs, want 1 after 2", refreshes, v.runs.Load())
	}
}
