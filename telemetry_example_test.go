package cachekit_test

import (
	"context"
	"fmt"
	"sort"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cachekit-io/cachekit-go"
)

// The client reports to the OpenTelemetry providers given in Options; a real program
// passes providers wired to its exporters (or otel.GetTracerProvider() and
// otel.GetMeterProvider()). Here an in-memory span recorder and a manual metric reader
// show what it reports: a span for each operation that reaches the backend, none for
// the L1 hit, and every outcome counted.
func Example_telemetry() {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(ctx) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(ctx) }()

	c, err := cachekit.New(cachekit.Options{
		Namespace:      "shop",
		TracerProvider: tp,
		MeterProvider:  mp,
		Env:            noEnv,
	})
	if err != nil {
		panic(err)
	}
	defer func() { _ = c.Close() }()

	_ = c.Set(ctx, "cart:1", []string{"apple"})
	var cart []string
	_, _ = c.Get(ctx, "cart:1", &cart) // an L1 hit: counted, no span
	_, _ = c.Get(ctx, "cart:2", &cart) // a miss: the backend is asked

	for _, s := range spans.Ended() {
		for _, kv := range s.Attributes() {
			if kv.Key == "cache.result" {
				fmt.Printf("span %s: %s\n", s.Name(), kv.Value.AsString())
			}
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "cachekit.requests" {
				continue
			}
			for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
				op, _ := p.Attributes.Value("cache.operation")
				res, _ := p.Attributes.Value("cache.result")
				lines = append(lines, fmt.Sprintf("cachekit.requests{%s, %s} = %d", op.AsString(), res.AsString(), p.Value))
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// span cachekit.set: ok
	// span cachekit.get: miss
	// cachekit.requests{get, l1_hit} = 1
	// cachekit.requests{get, miss} = 1
	// cachekit.requests{set, ok} = 1
}
