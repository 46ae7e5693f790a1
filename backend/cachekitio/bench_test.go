package cachekitio

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/devserver"
)

// BenchmarkGet and BenchmarkSet measure 1 KiB values against the development server on
// loopback, from one goroutine (par1) and with b.SetParallelism(64), 64 goroutines per
// GOMAXPROCS (par64). The baseline is a bare net/http GET of the same bytes from a
// handler that does nothing else, measured in the same run: the difference is this
// package's cost plus the development server's.
func BenchmarkGet(b *testing.B) {
	value := make([]byte, 1<<10)
	_, dev := newDevServer(b, devserver.Options{LenientKeys: true})
	c, _ := newTestClient(b, dev.URL, nil)
	if err := c.Set(b.Context(), "bench:key", value, time.Hour); err != nil {
		b.Fatal(err)
	}
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(value)))
		_, _ = w.Write(value)
	}))
	defer raw.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: DefaultPoolSize}
	defer tr.CloseIdleConnections()
	baseline := &http.Client{Transport: tr}

	for _, par := range []int{1, 64} {
		b.Run("baseline-nethttp/par"+strconv.Itoa(par), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			runParallel(b, par, func() {
				resp, err := baseline.Get(raw.URL + "/v1/cache/bench%3Akey")
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		})
		b.Run("cachekitio/par"+strconv.Itoa(par), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			runParallel(b, par, func() {
				if _, found, err := c.Get(b.Context(), "bench:key"); err != nil || !found {
					b.Errorf("Get = (%v, %v)", found, err)
				}
			})
		})
	}
}

func BenchmarkSet(b *testing.B) {
	value := make([]byte, 1<<10)
	_, dev := newDevServer(b, devserver.Options{LenientKeys: true})
	c, _ := newTestClient(b, dev.URL, nil)
	var n atomic.Uint64
	for _, par := range []int{1, 64} {
		b.Run("cachekitio/par"+strconv.Itoa(par), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			runParallel(b, par, func() {
				key := "bench:set:" + strconv.FormatUint(n.Add(1)%1024, 10)
				if err := c.Set(b.Context(), key, value, time.Hour); err != nil {
					b.Error(err)
				}
			})
		})
	}
}

// runParallel runs op b.N times: on one goroutine for par 1, else with
// b.SetParallelism(par).
func runParallel(b *testing.B, par int, op func()) {
	if par == 1 {
		for b.Loop() {
			op()
		}
		return
	}
	b.SetParallelism(par)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op()
		}
	})
}
