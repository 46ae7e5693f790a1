// Command cachekitio uses the cachekit.io backend (package backend/cachekitio) against
// a development server started inside the program (package devserver), so it runs
// without an account or a network: a value and its remaining TTL, a lock, and a
// memoized function that runs once across two clients standing for two processes.
//
//	go run ./examples/cachekitio
//
// To use another server, such as `go run ./cmd/cachekit serve` (which prints a URL and
// a key) or the hosted service, pass its URL and an API key:
//
//	go run ./examples/cachekitio -api-url http://127.0.0.1:PORT -api-key ck_live_dev_...
//	CACHEKIT_API_KEY=ck_sdk_... go run ./examples/cachekitio -api-url https://api.cachekit.io
//
// The example writes under the namespace "io-example" only. Against a server that
// keeps data between runs, the memoized report of a previous run (60 s TTL) may still
// be there, and the loader then runs 0 times.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/devserver"
)

const namespace = "io-example"

func main() {
	apiURL := flag.String("api-url", "", "the API's base URL (default: a development server started in this process)")
	apiKey := flag.String("api-key", os.Getenv("CACHEKIT_API_KEY"), "the API key (default: $CACHEKIT_API_KEY)")
	flag.Parse()
	ctx := context.Background()

	if *apiURL == "" {
		url, key, stop := startDevServer()
		defer stop()
		*apiURL, *apiKey = url, key
	}
	if *apiKey == "" {
		log.Fatal("-api-url needs an API key: -api-key or CACHEKIT_API_KEY")
	}

	// Two clients with their own HTTP connections, as two processes would have.
	a := newClient(*apiURL, *apiKey)
	defer a.Close()
	b := newClient(*apiURL, *apiKey)
	defer b.Close()

	h, err := a.Health(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("health: backend %s, healthy %v\n", h.Backend, h.Healthy)

	valueAndTTL(ctx, a, b)
	lock(ctx, a, b)
	singleFlight(ctx, a, b)
}

// startDevServer serves the cachekit.io API on a free loopback port, with an in-process
// store, and returns its URL, an API key it accepts and a function that stops it.
func startDevServer() (url, apiKey string, stop func()) {
	// ck_sdk_ keys are what SDKs are given on the hosted service; the server checks
	// that they send the X-CacheKit-L1-Status header, which the client does.
	apiKey = devserver.PrefixSDK + "example_" + rand.Text()
	srv, err := devserver.New(devserver.Options{APIKeys: []string{apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	l, err := srv.Listen() // 127.0.0.1 and a free port: devserver.DefaultAddr
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	return "http://" + l.Addr().String(), apiKey, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Print(err)
		}
		if err := <-served; !errors.Is(err, devserver.ErrClosed) {
			log.Print(err)
		}
	}
}

// newClient returns a cachekit client over its own cachekit.io backend.
func newClient(apiURL, apiKey string) *cachekit.Client {
	b, err := cachekitio.New(cachekitio.Options{
		APIURL: apiURL,
		APIKey: apiKey,
		// The backend refuses plain http and loopback addresses (SSRF protection)
		// unless told this is a development server on this machine. It logs a warning
		// when this is set, and it cannot come from the environment.
		AllowInsecureLoopback: strings.HasPrefix(apiURL, "http://"),
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := cachekit.New(cachekit.Options{
		Backend:      b,
		Namespace:    namespace,
		DefaultTTL:   time.Minute,
		CloseBackend: true, // Client.Close closes the backend's idle connections too
	})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// valueAndTTL writes a value with a TTL and reads it back, and its remaining lifetime.
func valueAndTTL(ctx context.Context, a, b *cachekit.Client) {
	if err := a.Set(ctx, "greeting", "hello from A", cachekit.WithTTL(90*time.Second)); err != nil {
		log.Fatal(err)
	}
	// The service counts whole seconds from the start of the second of the write, so
	// this is 1m30s, or 1m29s when a second boundary passed in between.
	ttl, found, err := a.TTL(ctx, "greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("greeting: found %v, remaining TTL %v\n", found, ttl)

	// B has nothing in its L1, so it asks the server.
	v, found, err := cachekit.Get[string](ctx, b, "greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("B reads greeting: %q (found %v, L2 hits %d)\n", v, found, b.Stats().L2Hits)
}

// lock takes the distributed lock the memoizer uses, by hand: only one holder at a
// time, and only the holder can release it. The lock expires by itself after its
// timeout, should its holder die. Locking is an optional capability of a backend,
// found by a type assertion to backend.Locker.
func lock(ctx context.Context, a, b *cachekit.Client) {
	lockerA, okA := a.Backend().(backend.Locker)
	lockerB, okB := b.Backend().(backend.Locker)
	if !okA || !okB {
		log.Fatal("the backend cannot lock")
	}
	const job = namespace + ":nightly-export"

	idA, acquired, err := lockerA.AcquireLock(ctx, job, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("lock: A acquires %v", acquired)
	_, acquired, err = lockerB.AcquireLock(ctx, job, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf(", B acquires %v", acquired)
	released, err := lockerA.ReleaseLock(ctx, job, idA)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf(", A releases %v", released)
	idB, acquired, err := lockerB.AcquireLock(ctx, job, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf(", then B acquires %v\n", acquired)
	if _, err := lockerB.ReleaseLock(ctx, job, idB); err != nil {
		log.Fatal(err)
	}
}

// singleFlight memoizes the same function on both clients and calls it from 10
// goroutines on each at once. The memoizers coordinate through the server's lock
// ("{key}:lock"): one run in all, and the other callers, in both "processes", get
// its result.
func singleFlight(ctx context.Context, a, b *cachekit.Client) {
	var runs atomic.Int64
	buildReport := func(ctx context.Context, quarter string) (string, error) {
		runs.Add(1)
		time.Sleep(300 * time.Millisecond) // an expensive query
		return "report for " + quarter, nil
	}
	var reports []func(context.Context, string) (string, error)
	for _, c := range []*cachekit.Client{a, b} {
		report, err := cachekit.Memoize1(c, "build_report", buildReport)
		if err != nil {
			log.Fatal(err)
		}
		reports = append(reports, report)
	}

	var (
		wg       sync.WaitGroup
		answered atomic.Int64
		start    = make(chan struct{})
	)
	for _, report := range reports {
		for range 10 {
			wg.Go(func() {
				<-start
				r, err := report(ctx, "2026-q1")
				if err != nil {
					log.Fatal(err)
				}
				if r == "report for 2026-q1" {
					answered.Add(1)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	fmt.Printf("single-flight across two clients: %d callers answered, loader runs: %d\n", answered.Load(), runs.Load())
}
