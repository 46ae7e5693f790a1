package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestClassify(t *testing.T) {
	opErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want backend.ErrorKind
	}{
		{"connection refused", opErr, backend.KindTransient},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), backend.KindTransient},
		{"eof", io.EOF, backend.KindTransient},
		{"unexpected eof", io.ErrUnexpectedEOF, backend.KindTransient},
		{"closed conn", net.ErrClosed, backend.KindTransient},
		{"client closing", rueidis.ErrClosing, backend.KindTransient},
		{"no slot", rueidis.ErrNoSlot, backend.KindTransient},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutError{}}, backend.KindTimeout},
		{"deadline", os.ErrDeadlineExceeded, backend.KindTimeout},
		{"context deadline", context.DeadlineExceeded, backend.KindTimeout},
		{"context cancelled", context.Canceled, backend.KindTransient},
		{"anything else", errors.New("redis: unexpected reply"), backend.KindPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := classify(context.Background(), "get", "k", tc.err)
			if err.Kind != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("classify(%v) = %v; want kind %v wrapping the cause", tc.err, err, tc.want)
			}
		})
	}
	t.Run("cancelled caller wins", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := classify(ctx, "get", "k", io.EOF)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("classify = %v; want context.Canceled", err)
		}
	})
}

// TestServerErrorKinds classifies real server replies, so the RedisError parsing is the
// library's, not a stand-in.
func TestServerErrorKinds(t *testing.T) {
	srv, b := standalone(t, Options{})
	ctx := testCtx(t)
	if _, err := srv.Do("ACL", "SETUSER", "reader", "on", ">reader-pass", "~*", "+get", "+hello", "+ping", "+client", "+auth"); err != nil {
		t.Fatal(err)
	}
	reader := newBackend(t, Options{Addrs: []string{srv.Addr}, Username: "reader", Password: "reader-pass"})
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"NOPERM", func() error { return reader.Set(ctx, "k", []byte("v"), 60e9) }, backend.ErrAuthentication},
		{"WRONGTYPE", func() error {
			if _, err := srv.Do("RPUSH", "list", "x"); err != nil {
				return err
			}
			_, _, err := b.Get(ctx, "list")
			return err
		}, backend.ErrPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v; want %v", err, tc.want)
			}
			if kind, ok := backend.KindOf(err); !ok || kind.String() == "" {
				t.Fatalf("KindOf(%v) = %v, %v", err, kind, ok)
			}
		})
	}
}
