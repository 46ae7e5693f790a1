// Command http-middleware is an HTTP service whose handler answers from a slow
// upstream lookup memoized with cachekit: repeated requests are served from the cache,
// a burst of concurrent requests for the same thing reaches the upstream once, and
// "not found" answers are cached briefly too.
//
//	go run ./examples/http-middleware                        # sends a few requests, then exits
//	go run ./examples/http-middleware -serve 127.0.0.1:8080  # keeps serving until Ctrl-C
//	curl 'http://127.0.0.1:8080/weather?city=paris'
//
// It needs no server besides itself: the cache is the client's in-process default.
// Give Options.Backend a Redis backend and every replica of the service shares the
// cache and the single-flight.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
)

// Forecast is the upstream's answer. The msgpack tags shape the cached value, the json
// tags the HTTP response.
type Forecast struct {
	City  string `msgpack:"city" json:"city"`
	TempC int    `msgpack:"temp_c" json:"temp_c"`
}

// errUnknownCity is the upstream's "not found".
var errUnknownCity = errors.New("unknown city")

// upstream stands for a slow remote API.
type upstream struct {
	calls atomic.Int64
}

// Forecast looks a city up, slowly. It honours ctx like a real HTTP call would.
func (u *upstream) Forecast(ctx context.Context, city string) (Forecast, error) {
	u.calls.Add(1)
	select {
	case <-time.After(150 * time.Millisecond):
	case <-ctx.Done():
		return Forecast{}, ctx.Err()
	}
	temps := map[string]int{"paris": 18, "oslo": 7, "rome": 24}
	t, ok := temps[city]
	if !ok {
		return Forecast{}, errUnknownCity
	}
	return Forecast{City: city, TempC: t}, nil
}

// weatherHandler serves GET /weather?city=NAME from forecast, the memoized lookup. It
// maps the lookup's errors to statuses and never shows their text to the client.
func weatherHandler(forecast func(context.Context, string) (Forecast, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Normalise before the lookup: the argument is the cache key, so "Paris" and
		// "paris" share one entry.
		city := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("city")))
		if city == "" {
			http.Error(w, "missing city", http.StatusBadRequest)
			return
		}
		f, err := forecast(r.Context(), city)
		switch {
		case errors.Is(err, errUnknownCity): // also when it is a cached failure
			http.Error(w, "unknown city", http.StatusNotFound)
			return
		case err != nil:
			// A cache outage does not get here: a plain memoizer then calls the
			// upstream directly. This is the upstream failing, or a timeout.
			log.Printf("weather %q: %v", city, err)
			http.Error(w, "upstream unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(f); err != nil {
			log.Printf("weather %q: writing the response: %v", city, err)
		}
	})
}

func main() {
	serveAddr := flag.String("serve", "", "keep serving on this address (e.g. 127.0.0.1:8080) instead of sending demo requests")
	flag.Parse()

	c, err := cachekit.New(cachekit.Options{Namespace: "weather"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	up := &upstream{}
	forecast, err := cachekit.Memoize1(c, "forecast", up.Forecast,
		cachekit.MemoTTL(5*time.Minute),
		cachekit.MemoCacheError(30*time.Second, errUnknownCity), // not-found answers, briefly
		cachekit.MemoLoadTimeout(2*time.Second))                 // bound one upstream call
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /weather", weatherHandler(forecast))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	addr := "127.0.0.1:0"
	if *serveAddr != "" {
		addr = *serveAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	base := "http://" + l.Addr().String()

	if *serveAddr != "" {
		fmt.Printf("serving %s/weather?city=paris (Ctrl-C to stop)\n", base)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
	} else {
		demo(base, up)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Print(err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
	}
}

// demo sends requests to the service and reports how many reached the upstream.
func demo(base string, up *upstream) {
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(city string) (int, string) {
		resp, err := client.Get(base + "/weather?city=" + url.QueryEscape(city))
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			log.Fatal(err)
		}
		return resp.StatusCode, strings.TrimSpace(string(body))
	}

	requests := 0
	for _, city := range []string{"paris", "paris", "Paris", "oslo", "atlantis", "atlantis"} {
		start := time.Now()
		status, body := get(city)
		requests++
		fmt.Printf("GET /weather?city=%-8s -> %d %s (%v)\n", city, status, body, elapsed(start))
	}

	// A burst for a city nobody asked for yet: one upstream call serves all of them.
	const burst = 20
	var (
		wg sync.WaitGroup
		ok atomic.Int64
	)
	for range burst {
		wg.Go(func() {
			if status, _ := get("rome"); status == http.StatusOK {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	requests += burst
	fmt.Printf("%d concurrent requests for rome: %d answered 200\n", burst, ok.Load())

	fmt.Printf("upstream calls: %d for %d requests (paris, oslo, atlantis and rome once each)\n", up.calls.Load(), requests)
	client.CloseIdleConnections()
}

// elapsed is the time since start, rounded for printing.
func elapsed(start time.Time) time.Duration {
	d := time.Since(start)
	if d >= time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}
