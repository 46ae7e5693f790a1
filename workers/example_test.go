package main

import (
	"context"
	"fmt"
	"net/http/httptest"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/devserver"
)

// The worker's routes, served natively over a dev server: a write, then a read that
// the L1 answers, as it would inside the isolate.
func Example_routes() {
	dev, _ := devserver.New(devserver.Options{APIKeys: []string{"ck_live_example"}})
	ts := httptest.NewServer(dev)
	defer ts.Close()
	defer dev.Close()

	a, err := newApp(config{
		client: cachekit.Options{Namespace: "example", Env: func(string) (string, bool) { return "", false }},
		api: cachekitio.Options{
			APIURL: ts.URL, APIKey: "ck_live_example", AllowInsecureLoopback: true, Logger: quietLogger(),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()

	ctx := context.Background()
	put := a.serve(ctx, request{method: "PUT", target: "/kv/greeting", body: []byte("hello")})
	fmt.Println("PUT", put.status)
	get := a.serve(ctx, request{method: "GET", target: "/kv/greeting"})
	fmt.Println("GET", get.status, string(get.body), get.header.Get(headerSource))
	sec := a.serve(ctx, request{method: "GET", target: "/secure/greeting"})
	fmt.Println("GET /secure", sec.status) // no master key configured
	// Output:
	// PUT 204
	// GET 200 hello l1
	// GET /secure 501
}
