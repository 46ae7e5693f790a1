package redis

import (
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

func TestTLS(t *testing.T) {
	srv := testserver.StartRedis(t, testserver.RedisOptions{TLS: testserver.NewTLSFiles(t, ""), Password: "tls-pass"})
	b := newBackend(t, Options{Addrs: []string{srv.Addr}, TLS: srv.TLS, Password: "tls-pass"})
	ctx := testCtx(t)
	if err := b.Set(ctx, "tls:k", []byte("over tls"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, found, err := b.Get(ctx, "tls:k"); err != nil || !found || string(v) != "over tls" {
		t.Fatalf("Get = %q, %v, %v", v, found, err)
	}
	rec := subscribe(t, b, "tls:")
	if _, err := srv.Do("SET", "tls:x", "1"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "over the TLS tracking connection", keyIs("tls:x"))

	t.Run("untrusted certificate is refused", func(t *testing.T) {
		_, err := New(Options{Addrs: []string{srv.Addr}, TLS: &tls.Config{ServerName: "127.0.0.1"}, Password: "tls-pass", DialTimeout: 2 * time.Second})
		if err == nil {
			t.Fatal("New trusted a self-signed certificate")
		}
		if !errors.Is(err, backend.ErrPermanent) {
			t.Fatalf("New: %v", err)
		}
	})
}
