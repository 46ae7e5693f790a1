package redis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// outage reports whether err is what a caller may see while the server is down: a
// transient or timeout backend error.
func outage(err error) bool {
	return errors.Is(err, backend.ErrTransient) || errors.Is(err, backend.ErrTimeout)
}

func TestServerKilledMidTest(t *testing.T) {
	srv, b := standalone(t, Options{ReadTimeout: time.Second, WriteTimeout: time.Second})
	ctx := testCtx(t)
	if err := b.Set(ctx, "f:k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	rec := subscribe(t, b, "f:")

	// Load in flight while the server dies.
	var wg sync.WaitGroup
	stopLoad := make(chan struct{})
	var loadErrs sync.Map
	for i := range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				if _, _, err := b.Get(ctx, "f:k"); err != nil {
					loadErrs.Store(i, err)
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	srv.Kill()

	ops := []struct {
		name string
		run  func() error
	}{
		{"get", func() error { _, _, err := b.Get(ctx, "f:k"); return err }},
		{"set", func() error { return b.Set(ctx, "f:k", []byte("v"), time.Minute) }},
		{"delete", func() error { _, err := b.Delete(ctx, "f:k"); return err }},
		{"exists", func() error { _, err := b.Exists(ctx, "f:k"); return err }},
		{"ttl", func() error { _, _, err := b.TTL(ctx, "f:k"); return err }},
		{"get_many", func() error { _, err := b.GetMany(ctx, []string{"f:k", "f:j"}); return err }},
		{"lock", func() error { _, _, err := b.AcquireLock(ctx, "f:k", time.Second); return err }},
		{"health", func() error { _, err := b.Health(ctx); return err }},
		{"own write", func() error {
			return b.Set(backend.WithOrigin(ctx, "me"), "f:k", []byte("v"), time.Minute)
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.run()
			if !outage(err) {
				t.Fatalf("%s with the server down: %v; want transient or timeout", op.name, err)
			}
			var be *backend.Error
			if !errors.As(err, &be) || be.Backend != "redis" {
				t.Fatalf("%s: %T is not a *backend.Error", op.name, err)
			}
		})
	}
	close(stopLoad)
	wg.Wait()
	loadErrs.Range(func(_, v any) bool {
		if err := v.(error); !outage(err) {
			t.Errorf("in-flight Get failed with %v; want transient or timeout", err)
		}
		return true
	})

	t.Run("recovers after restart on the same port", func(t *testing.T) {
		srv.Restart()
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := b.Set(ctx, "f:back", []byte("v"), time.Minute)
			if err == nil {
				break
			}
			if !outage(err) || time.Now().After(deadline) {
				t.Fatalf("Set after restart: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if v, found, err := b.Get(ctx, "f:back"); err != nil || !found || string(v) != "v" {
			t.Fatalf("Get after restart = %q, %v, %v", v, found, err)
		}
		rec.waitFor(t, "meaning flush all after the outage", keyIs(""))
	})
}

func TestContextErrorsStayReachable(t *testing.T) {
	srv := testserver.StartRedis(t, testserver.RedisOptions{ExtraArgs: []string{"--enable-debug-command", "yes"}})
	b := newBackend(t, Options{Addrs: []string{srv.Addr}})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := b.Get(cancelled, "k")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a cancelled context: %v; want context.Canceled", err)
	}
	if backend.IsRetryable(err) {
		t.Fatal("a cancelled Get is retryable")
	}

	// A server stuck in a script: the deadline expires during the call.
	sleeping := make(chan error, 1)
	go func() { _, err := srv.Do("DEBUG", "SLEEP", "0.5"); sleeping <- err }()
	time.Sleep(50 * time.Millisecond)
	short, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, _, err = b.Get(short, "k")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, backend.ErrTimeout) {
		t.Fatalf("Get past its deadline: %v; want DeadlineExceeded, KindTimeout", err)
	}
	if err := <-sleeping; err != nil {
		t.Fatalf("DEBUG SLEEP: %v", err)
	}
}

func TestAuthFailure(t *testing.T) {
	const password = "correct-horse-battery-staple"
	const wrong = "Tr0ub4dor&3-wrong-secret"
	srv := testserver.StartRedis(t, testserver.RedisOptions{Password: password})

	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"wrong password", Options{Addrs: []string{srv.Addr}, Password: wrong}},
		{"wrong user", Options{Addrs: []string{srv.Addr}, Username: "nobody", Password: wrong}},
		{"no password", Options{Addrs: []string{srv.Addr}}},
		{"wrong password in URL", Options{URL: "redis://:" + wrong + "@" + srv.Addr + "/0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(tc.opts)
			if err == nil {
				_ = b.Close()
				t.Fatal("New succeeded with bad credentials")
			}
			if !errors.Is(err, backend.ErrAuthentication) {
				t.Fatalf("New: %v; want KindAuthentication", err)
			}
			for _, s := range []string{err.Error(), tc.opts.String()} {
				if strings.Contains(s, wrong) || strings.Contains(s, password) {
					t.Fatalf("a password leaked: %q", s)
				}
			}
		})
	}
	t.Run("right password", func(t *testing.T) {
		b := newBackend(t, Options{Addrs: []string{srv.Addr}, Password: password})
		if err := b.Set(testCtx(t), "a:k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{b.String(), b.opts.String()} {
			if strings.Contains(s, password) {
				t.Fatalf("password in %q", s)
			}
		}
	})
}

func TestNewUnreachable(t *testing.T) {
	port, err := testserver.FreePort(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Addrs: []string{"127.0.0.1:" + strconv.Itoa(port)}, DialTimeout: time.Second})
	if !errors.Is(err, backend.ErrTransient) {
		t.Fatalf("New on a closed port: %v; want transient", err)
	}
}
