package cachekitio_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/devserver"
)

// Example talks to a local development server, as a test would.
func Example() {
	srv, err := devserver.New(devserver.Options{APIKeys: []string{"ck_live_example"}})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer func() { ts.Close(); srv.Close() }()

	b, err := cachekitio.New(cachekitio.Options{
		APIURL:                ts.URL,
		APIKey:                "ck_live_example",
		AllowInsecureLoopback: true, // plain http to loopback: development only
		Logger:                slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	ctx := context.Background()
	if err := b.Set(ctx, "app:greeting", []byte("hello"), time.Minute); err != nil {
		panic(err)
	}
	v, meta, found, err := b.GetWithMeta(ctx, "app:greeting")
	if err != nil {
		panic(err)
	}
	l1TTL, cache := meta.L1TTL(30 * time.Second)
	fmt.Println(string(v), found, meta.Stale, cache, l1TTL)
	ttl, _, _ := b.TTL(ctx, "app:greeting")
	fmt.Println(ttl)
	// Output:
	// hello true false true 30s
	// 1m0s
}

// ExampleOptions_String shows that formatting never reveals the API key.
func ExampleOptions_String() {
	o := cachekitio.Options{APIKey: "ck_live_do_not_print"}
	fmt.Printf("%v\n", o)
	// Output:
	// cachekitio.Options{APIKey: [REDACTED], APIURL: "", AllowCustomHost: false, AllowInsecureLoopback: false, Timeout: 0s, MaxRetries: 0, PoolSize: 0, MaxResponseSize: 0}
}

// ExampleNew shows the SSRF rules refusing a private address.
func ExampleNew() {
	_, err := cachekitio.New(cachekitio.Options{APIKey: "ck_live_x", APIURL: "https://169.254.169.254", AllowCustomHost: true})
	fmt.Println(err)
	// Output:
	// cachekitio: the API URL is not allowed: its host is a link-local address (169.254.0.0/16)
}
