package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestWait runs Wait on synctest's fake clock and checks both what it returns and when:
// after the whole duration with a live context, and as soon as the context ends
// otherwise (at once for a context that is already done).
func TestWait(t *testing.T) {
	tests := []struct {
		name string
		// ctx derives the context Wait gets from parent.
		ctx     func(parent context.Context) (context.Context, context.CancelFunc)
		d       time.Duration
		wantErr error // nil: Wait must report the whole wait
		after   time.Duration
	}{
		{
			name:  "whole duration",
			ctx:   func(p context.Context) (context.Context, context.CancelFunc) { return p, func() {} },
			d:     3 * time.Second,
			after: 3 * time.Second,
		},
		{
			name: "cancelled during the wait",
			ctx: func(p context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(p)
				time.AfterFunc(time.Second, cancel)
				return ctx, cancel
			},
			d:       time.Hour,
			wantErr: context.Canceled,
			after:   time.Second,
		},
		{
			name: "deadline during the wait",
			ctx: func(p context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(p, 2*time.Second)
			},
			d:       time.Hour,
			wantErr: context.DeadlineExceeded,
			after:   2 * time.Second,
		},
		{
			name: "already cancelled",
			ctx: func(p context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(p)
				cancel()
				return ctx, cancel
			},
			d:       time.Minute,
			wantErr: context.Canceled,
			after:   0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()
				start := time.Now()
				err := Wait(ctx, tt.d)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Wait = %v, want %v", err, tt.wantErr)
				}
				if got := time.Since(start); got != tt.after {
					t.Fatalf("Wait returned after %v, want %v", got, tt.after)
				}
			})
		})
	}
}
