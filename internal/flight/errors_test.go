package flight

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
)

func TestErrorsMatchTheirSentinels(t *testing.T) {
	cause := backend.NewError(backend.KindTimeout, "redis", "acquire_lock", "app:k", errors.New("i/o timeout"))
	for _, tc := range []struct {
		name    string
		err     error
		matches []error
		rejects []error
	}{
		{"panic with a string", &PanicError{Value: "boom"}, []error{ErrPanic}, []error{ErrCoordination, ErrGoexit}},
		{"panic with an error", &PanicError{Value: errPanicValue}, []error{ErrPanic, errPanicValue}, []error{ErrCoordination}},
		{"coordination", &CoordinationError{Op: "acquire_lock", Key: "app:k", Err: cause}, []error{ErrCoordination, backend.ErrTimeout}, []error{ErrPanic, backend.ErrTransient}},
		{"wrapped coordination", fmt.Errorf("memoize: %w", &CoordinationError{Op: "release_lock", Key: "app:k", Err: cause}), []error{ErrCoordination, backend.ErrTimeout}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range tc.matches {
				if !errors.Is(tc.err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", tc.err, target)
				}
			}
			for _, target := range tc.rejects {
				if errors.Is(tc.err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", tc.err, target)
				}
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string // substrings
		not  []string
	}{
		{"panic names its value, not its stack", &PanicError{Value: "boom", Stack: []byte("goroutine 7 [running]")}, []string{"flight:", "boom"}, []string{"goroutine"}},
		{"coordination names op, key and cause", &CoordinationError{Op: "acquire_lock", Key: "app:k", Err: errors.New("refused")}, []string{"flight:", "acquire_lock", `"app:k"`, "refused"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.err.Error()
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(msg, s) {
					t.Errorf("message %q contains %q", msg, s)
				}
			}
		})
	}
	for _, err := range []error{ErrInvalidOptions, ErrClosed, ErrNilLoad, ErrPanic, ErrGoexit, ErrCoordination} {
		if !strings.HasPrefix(err.Error(), "flight: ") {
			t.Errorf("sentinel %q lacks the package prefix", err)
		}
	}
}
