package backend_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestNormalizeTTL checks the shared ttl rules of the package documentation and
// DESIGN.md: ttl <= 0 is an error, never "forever"; anything else rounds up to whole
// seconds, so sub-second ttls become one second.
func TestNormalizeTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      time.Duration
		want    time.Duration
		wantErr bool
	}{
		{0, 0, true},
		{-time.Nanosecond, 0, true},
		{-time.Hour, 0, true},
		{math.MinInt64, 0, true},
		{time.Nanosecond, time.Second, false},
		{time.Millisecond, time.Second, false},
		{999 * time.Millisecond, time.Second, false},
		{time.Second, time.Second, false},
		{time.Second + time.Nanosecond, 2 * time.Second, false},
		{90 * time.Second, 90 * time.Second, false},
		{30 * 24 * time.Hour, 30 * 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			t.Parallel()
			got, err := backend.NormalizeTTL(tt.in)
			if tt.wantErr {
				if !errors.Is(err, backend.ErrInvalidTTL) {
					t.Fatalf("NormalizeTTL(%v) error = %v, want ErrInvalidTTL", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeTTL(%v) = (%v, %v), want (%v, nil)", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestNormalizeTTLNeverNegative is the property behind the table: a positive ttl never
// comes back non-positive, and never shorter than it went in unless it was clamped to
// MaxTTL. Rounding up near math.MaxInt64 would overflow without the clamp.
func TestNormalizeTTLNeverNegative(t *testing.T) {
	t.Parallel()
	for _, in := range []time.Duration{
		time.Nanosecond, 999 * time.Millisecond, backend.MaxTTL - time.Nanosecond, backend.MaxTTL,
		backend.MaxTTL + 1, math.MaxInt64 - 2*time.Second, math.MaxInt64 - 100*time.Millisecond, math.MaxInt64,
	} {
		got, err := backend.NormalizeTTL(in)
		if err != nil {
			t.Errorf("NormalizeTTL(%v) error = %v", in, err)
			continue
		}
		if got <= 0 || got%time.Second != 0 {
			t.Errorf("NormalizeTTL(%d) = %d, want a positive whole number of seconds", in, got)
		}
		if got < in && got != backend.MaxTTL {
			t.Errorf("NormalizeTTL(%d) = %d, shorter than asked and not MaxTTL", in, got)
		}
		if got > backend.MaxTTL {
			t.Errorf("NormalizeTTL(%d) = %d, above MaxTTL", in, got)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	sentinels := map[backend.ErrorKind]error{
		backend.KindPermanent:      backend.ErrPermanent,
		backend.KindTransient:      backend.ErrTransient,
		backend.KindTimeout:        backend.ErrTimeout,
		backend.KindAuthentication: backend.ErrAuthentication,
	}
	for kind, own := range sentinels {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			cause := io.ErrUnexpectedEOF
			err := fmt.Errorf("outer: %w", backend.NewError(kind, "redis", "get", "ns:key", cause))
			for k, sentinel := range sentinels {
				if got := errors.Is(err, sentinel); got != (k == kind) {
					t.Errorf("errors.Is(%v error, %v) = %v, want %v", kind, sentinel, got, k == kind)
				}
			}
			if !errors.Is(err, own) || !errors.Is(err, cause) {
				t.Errorf("error of kind %v does not match its sentinel and its cause", kind)
			}
			if got, ok := backend.KindOf(err); !ok || got != kind {
				t.Errorf("KindOf = (%v, %v), want (%v, true)", got, ok, kind)
			}
			wantRetry := kind == backend.KindTransient || kind == backend.KindTimeout
			if got := backend.IsRetryable(err); got != wantRetry {
				t.Errorf("IsRetryable(%v) = %v, want %v", kind, got, wantRetry)
			}
		})
	}
}

func TestErrorKindString(t *testing.T) {
	t.Parallel()
	for kind, want := range map[backend.ErrorKind]string{
		backend.KindPermanent: "permanent", backend.KindTransient: "transient",
		backend.KindTimeout: "timeout", backend.KindAuthentication: "authentication",
		backend.ErrorKind(200): "ErrorKind(200)",
	} {
		if got := kind.String(); got != want {
			t.Errorf("ErrorKind(%d).String() = %q, want %q", uint8(kind), got, want)
		}
	}
}

// TestErrorMessage checks that the message names backend, operation, key and cause.
func TestErrorMessage(t *testing.T) {
	t.Parallel()
	err := backend.NewError(backend.KindTransient, "redis", "set", "ns:user:1", errors.New("connection reset"))
	msg := err.Error()
	for _, part := range []string{"redis", "set", `"ns:user:1"`, "transient", "connection reset"} {
		if !strings.Contains(msg, part) {
			t.Errorf("Error() = %q, missing %q", msg, part)
		}
	}
	if got := backend.NewError(backend.KindPermanent, "file", "health", "", nil).Error(); strings.Contains(got, `""`) {
		t.Errorf("Error() without key or cause = %q, want no empty key", got)
	}
}

func TestContextError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cause     error
		wantKind  backend.ErrorKind
		wantRetry bool
	}{
		{context.Canceled, backend.KindTransient, false},
		{context.DeadlineExceeded, backend.KindTimeout, true},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), backend.KindTimeout, true},
	}
	for _, tt := range tests {
		err := backend.ContextError("memcached", "get", "k", tt.cause)
		if !errors.Is(err, tt.cause) || err.Kind != tt.wantKind {
			t.Errorf("ContextError(%v) = kind %v, matches cause %v; want kind %v matching the cause",
				tt.cause, err.Kind, errors.Is(err, tt.cause), tt.wantKind)
		}
		if got := backend.IsRetryable(err); got != tt.wantRetry {
			t.Errorf("IsRetryable(ContextError(%v)) = %v, want %v", tt.cause, got, tt.wantRetry)
		}
	}
	if backend.IsRetryable(errors.New("plain")) {
		t.Error("IsRetryable of an error that is no *backend.Error = true, want false")
	}
}

func TestLockKey(t *testing.T) {
	t.Parallel()
	if got := backend.LockKey("ns:user:42"); got != "ns:user:42:lock" {
		t.Fatalf(`LockKey("ns:user:42") = %q, want the cross-SDK name "ns:user:42:lock"`, got)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := backend.OriginFrom(ctx); got != "" {
		t.Fatalf("OriginFrom(no origin) = %q, want empty", got)
	}
	ctx = backend.WithOrigin(ctx, "client-a")
	inner := backend.WithOrigin(ctx, "client-b")
	if got := backend.OriginFrom(ctx); got != "client-a" {
		t.Errorf("OriginFrom = %q, want client-a", got)
	}
	if got := backend.OriginFrom(inner); got != "client-b" {
		t.Errorf("OriginFrom of a re-marked context = %q, want the innermost client-b", got)
	}
	type otherKey struct{}
	if got := backend.OriginFrom(context.WithValue(ctx, otherKey{}, "x")); got != "client-a" {
		t.Errorf("OriginFrom through an unrelated value = %q, want client-a", got)
	}
}
