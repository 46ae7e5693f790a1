package memcached_test

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
)

// oldServer imitates a memcached older than 1.6: it answers gets for the key "present"
// and replies ERROR to anything else, meta commands included.
func oldServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					reply := "ERROR\r\n"
					switch strings.TrimSpace(line) {
					case "gets present":
						reply = "VALUE present 0 5 7\r\nhello\r\nEND\r\n"
					case "gets absent":
						reply = "END\r\n"
					}
					if _, err := c.Write([]byte(reply)); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// TestOldServer: without the meta protocol Exists falls back to a get, and TTL fails with
// a permanent error naming the missing support.
func TestOldServer(t *testing.T) {
	t.Parallel()
	b := newBackend(t, memcached.Options{Servers: []string{oldServer(t)}})
	ctx := t.Context()
	if ok, err := b.Exists(ctx, "present"); err != nil || !ok {
		t.Fatalf("Exists(present) = (%v, %v), want true through the get fallback", ok, err)
	}
	if ok, err := b.Exists(ctx, "absent"); err != nil || ok {
		t.Fatalf("Exists(absent) = (%v, %v), want false", ok, err)
	}
	_, _, err := b.TTL(ctx, "present")
	if !errors.Is(err, memcached.ErrMetaUnsupported) {
		t.Fatalf("TTL on an old server = %v, want ErrMetaUnsupported", err)
	}
	wantKind(t, "TTL", err, backend.KindPermanent)
	// An ERROR reply to a storage command is permanent too.
	err = b.Set(ctx, "k", []byte("v"), time.Minute)
	wantKind(t, "Set answered with ERROR", err, backend.KindPermanent)
	var se *memcached.ServerError
	if !errors.As(err, &se) || se.Status != "ERROR" {
		t.Fatalf("Set error = %v, want a *ServerError with status ERROR", err)
	}
}
