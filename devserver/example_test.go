package devserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cachekit-io/cachekit-go/devserver"
)

// Example serves the API from a test and stores and reads a value with plain HTTP.
func Example() {
	srv, err := devserver.New(devserver.Options{APIKeys: []string{"ck_live_example"}})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer func() { ts.Close(); srv.Close() }()

	call := func(method, path, body string, header ...string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer ck_live_example")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		return resp
	}
	put := call("PUT", "/v1/cache/app%3Agreeting", "hello", "X-CacheKit-TTL", "60")
	put.Body.Close()
	get := call("GET", "/v1/cache/app%3Agreeting", "")
	value, _ := io.ReadAll(get.Body)
	get.Body.Close()
	fmt.Println(put.StatusCode, get.StatusCode, string(value), get.Header.Get("X-CacheKit-Freshness"))
	health := call("GET", "/v1/cache/health", "")
	h, _ := io.ReadAll(health.Body)
	health.Body.Close()
	fmt.Println(string(h))
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// 200 200 hello fresh
	// {"active_locks":0,"cache_entries":1,"status":"ok"}
}
