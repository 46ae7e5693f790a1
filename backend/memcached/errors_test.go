package memcached

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// gomemcacheReply builds the error gomemcache returns for an unexpected reply line.
func gomemcacheReply(verb, line string) error {
	return fmt.Errorf("memcache: unexpected response line from %q: %q", verb, line)
}

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	deadline := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		err  error
		kind backend.ErrorKind
		is   []error
	}{
		{"connection refused", refused, backend.KindTransient, nil},
		{"connection reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, backend.KindTransient, nil},
		{"broken pipe", &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)}, backend.KindTransient, nil},
		{"end of stream", io.EOF, backend.KindTransient, nil},
		{"short read", io.ErrUnexpectedEOF, backend.KindTransient, nil},
		{"connect timeout", &memcache.ConnectTimeoutError{Addr: staticAddr{"tcp", "10.0.0.1:11211"}}, backend.KindTimeout, nil},
		{"read deadline", deadline, backend.KindTimeout, nil},
		{"server error sentinel", memcache.ErrServerError, backend.KindTransient, nil},
		{"malformed key", memcache.ErrMalformedKey, backend.KindPermanent, []error{backend.ErrInvalidKey}},
		{"object too large", gomemcacheReply("set", "SERVER_ERROR object too large for cache\r\n"), backend.KindPermanent, []error{backend.ErrValueTooLarge}},
		{"out of memory", gomemcacheReply("set", "SERVER_ERROR out of memory storing object\r\n"), backend.KindTransient, nil},
		{"client error", gomemcacheReply("set", "CLIENT_ERROR bad data chunk\r\n"), backend.KindPermanent, nil},
		{"unknown command", gomemcacheReply("touch", "ERROR\r\n"), backend.KindPermanent, nil},
		{"garbage reply", gomemcacheReply("set", "WHAT\r\n"), backend.KindPermanent, []error{ErrMalformedResponse}},
		{"corrupt get", errors.New("memcache: corrupt get result read"), backend.KindPermanent, []error{ErrMalformedResponse}},
		{"malformed meta reply", ErrMalformedResponse, backend.KindPermanent, []error{ErrMalformedResponse}},
		{"meta unsupported", ErrMetaUnsupported, backend.KindPermanent, []error{ErrMetaUnsupported}},
		{"server error type", &ServerError{Status: "SERVER_ERROR", Message: "busy"}, backend.KindTransient, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, cause := classify(tt.err)
			if kind != tt.kind {
				t.Fatalf("classify(%v) kind = %v, want %v", tt.err, kind, tt.kind)
			}
			for _, target := range tt.is {
				if !errors.Is(cause, target) {
					t.Fatalf("classify(%v) cause = %v, want it to wrap %v", tt.err, cause, target)
				}
			}
			if kind != backend.KindPermanent && errors.Is(cause, backend.ErrValueTooLarge) {
				t.Fatal("a too-large value must be permanent")
			}
		})
	}
}

// TestClassifyDropsRawReplies: a reply line gomemcache quotes may be value bytes read out
// of step; it must not reach the error text.
func TestClassifyDropsRawReplies(t *testing.T) {
	secret := "ssn=123-45-6789"
	err := fmt.Errorf("memcache: unexpected line in get response: %q", secret+"\r\n")
	_, cause := classify(err)
	if strings.Contains(cause.Error(), secret) {
		t.Fatalf("cause %q repeats the reply", cause)
	}
	if !errors.Is(cause, ErrMalformedResponse) {
		t.Fatalf("cause = %v, want ErrMalformedResponse", cause)
	}
}

func TestServerErrorMessageIsPrintable(t *testing.T) {
	se, ok := parseServerError("SERVER_ERROR bad\x00\x1b[31m" + strings.Repeat("x", 500))
	if !ok {
		t.Fatal("not recognised")
	}
	if strings.ContainsAny(se.Message, "\x00\x1b") || len(se.Message) > maxServerMessage {
		t.Fatalf("Message = %q", se.Message)
	}
	if _, ok := parseServerError("VALUE k 0 1"); ok {
		t.Fatal("a VALUE line is not an error")
	}
}

func TestOpErrorPrefersContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := opError(ctx, "get", "k", io.EOF)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("opError with a cancelled context = %v, want it to wrap context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancel()
	err = opError(ctx, "get", "k", io.EOF)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, backend.ErrTimeout) {
		t.Fatalf("opError with an expired context = %v, want a timeout wrapping context.DeadlineExceeded", err)
	}
}

func TestParseTTLReply(t *testing.T) {
	tests := []struct {
		line  string
		ttl   time.Duration
		found bool
		err   error
	}{
		{"EN", 0, false, nil},
		{"HD t100", 99 * time.Second, true, nil},
		{"HD t1", 0, true, nil},
		{"HD t-1", backend.NoExpiry, true, nil},
		{"HD c5 t7", 6 * time.Second, true, nil},
		{"HD", 0, false, ErrMalformedResponse},
		{"HD tx", 0, false, ErrMalformedResponse},
		{"HD t-5", 0, false, ErrMalformedResponse},
		{"ERROR", 0, false, ErrMetaUnsupported},
		{"NF", 0, false, ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			ttl, found, err := parseTTLReply(tt.line)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("parseTTLReply(%q) error = %v, want %v", tt.line, err, tt.err)
				}
				return
			}
			if err != nil || ttl != tt.ttl || found != tt.found {
				t.Fatalf("parseTTLReply(%q) = (%v, %v, %v), want (%v, %v, nil)", tt.line, ttl, found, err, tt.ttl, tt.found)
			}
		})
	}
	se := &ServerError{}
	if _, _, err := parseTTLReply("CLIENT_ERROR bad command line format"); !errors.As(err, &se) || se.Status != "CLIENT_ERROR" {
		t.Fatalf("a CLIENT_ERROR reply gave %v, want a *ServerError", err)
	}
}
