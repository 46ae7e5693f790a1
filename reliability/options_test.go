package reliability

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultsMatchTheDesign(t *testing.T) {
	// The numbers of DESIGN.md §4, written out rather than taken from the constants.
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"Retry.MaxAttempts", int64(o.Retry.MaxAttempts), 3},
		{"Retry.BaseDelay", int64(o.Retry.BaseDelay), int64(100 * time.Millisecond)},
		{"Retry.MaxDelay", int64(o.Retry.MaxDelay), int64(5 * time.Second)},
		{"Breaker.FailureThreshold", int64(o.Breaker.FailureThreshold), 5},
		{"Breaker.Window", int64(o.Breaker.Window), int64(60 * time.Second)},
		{"Breaker.OpenDuration", int64(o.Breaker.OpenDuration), int64(5 * time.Second)},
		{"Breaker.HalfOpenProbes", int64(o.Breaker.HalfOpenProbes), 3},
		{"Breaker.SuccessThreshold", int64(o.Breaker.SuccessThreshold), 3},
		{"Backpressure.MaxConcurrent", int64(o.Backpressure.MaxConcurrent), 100},
		{"Backpressure.MaxQueue", int64(o.Backpressure.MaxQueue), 1000},
		{"Backpressure.MaxWait", int64(o.Backpressure.MaxWait), int64(100 * time.Millisecond)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if JitterMin != 0.5 || JitterMax != 1.5 {
		t.Errorf("jitter range [%v, %v), want [0.5, 1.5)", JitterMin, JitterMax)
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		in   string // the field the message must name
	}{
		{"negative attempts", func(o *Options) { o.Retry.MaxAttempts = -1 }, "Retry.MaxAttempts"},
		{"negative base delay", func(o *Options) { o.Retry.BaseDelay = -time.Second }, "Retry.BaseDelay"},
		{"negative max delay", func(o *Options) { o.Retry.MaxDelay = -time.Second }, "Retry.MaxDelay"},
		{"max below base", func(o *Options) { o.Retry.BaseDelay = time.Second; o.Retry.MaxDelay = time.Millisecond }, "Retry.MaxDelay"},
		{"default max below base", func(o *Options) { o.Retry.BaseDelay = time.Minute }, "Retry.MaxDelay"},
		{"negative threshold", func(o *Options) { o.Breaker.FailureThreshold = -5 }, "Breaker.FailureThreshold"},
		{"huge threshold", func(o *Options) { o.Breaker.FailureThreshold = MaxFailureThreshold + 1 }, "Breaker.FailureThreshold"},
		{"negative window", func(o *Options) { o.Breaker.Window = -1 }, "Breaker.Window"},
		{"negative open", func(o *Options) { o.Breaker.OpenDuration = -1 }, "Breaker.OpenDuration"},
		{"negative probes", func(o *Options) { o.Breaker.HalfOpenProbes = -1 }, "Breaker.HalfOpenProbes"},
		{"negative successes", func(o *Options) { o.Breaker.SuccessThreshold = -1 }, "Breaker.SuccessThreshold"},
		{"negative concurrency", func(o *Options) { o.Backpressure.MaxConcurrent = -1 }, "Backpressure.MaxConcurrent"},
		{"negative queue", func(o *Options) { o.Backpressure.MaxQueue = -1 }, "Backpressure.MaxQueue"},
		{"negative wait", func(o *Options) { o.Backpressure.MaxWait = -1 }, "Backpressure.MaxWait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o Options
			tc.edit(&o)
			b, err := New(&fake{}, o)
			if !errors.Is(err, ErrInvalidOptions) || b != nil {
				t.Fatalf("New = %v, %v; want an error wrapping ErrInvalidOptions", b, err)
			}
			if !strings.Contains(err.Error(), tc.in) || !strings.HasPrefix(err.Error(), "reliability: ") {
				t.Fatalf("error %q does not name %s", err, tc.in)
			}
		})
	}
	// Options of a disabled guard are still validated: a mistake is reported at once.
	if _, err := New(&fake{}, Options{Retry: RetryOptions{Disabled: true, MaxAttempts: -1}}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("New with a disabled but invalid retry: %v", err)
	}
	if _, err := New(nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("New(nil): %v", err)
	}
	if _, err := New(&fake{}, Options{Breaker: BreakerOptions{FailureThreshold: MaxFailureThreshold}}); err != nil {
		t.Fatalf("New with the largest threshold: %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	for _, err := range []error{ErrCircuitOpen, ErrBackpressure, ErrInvalidOptions} {
		if !strings.HasPrefix(err.Error(), "reliability: ") {
			t.Errorf("%q lacks the package prefix", err)
		}
	}
	err := circuitOpenError("get", "ns:user:1")
	if got, want := err.Error(), `reliability get "ns:user:1": transient: `+ErrCircuitOpen.Error(); got != want {
		t.Errorf("circuit-open error = %q, want %q", got, want)
	}
}
