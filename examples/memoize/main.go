// Command memoize shows cachekit.Memoize1 around a slow function: the first call runs
// it, the next ones are cache hits; a stale value is served at once while it is
// refreshed in the background; 100 goroutines asking for the same cold key run the
// function once; and a "not found" failure can be cached too.
//
//	go run ./examples/memoize
//
// It needs no server: the client's default backend lives in the process. Every part
// works the same over Redis or any other backend passed in Options.Backend, and with
// a backend shared by several processes the single-flight covers all of them.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
)

// Price is what the slow lookup returns. Results are stored as MessagePack, so the
// fields need tags (or plain exported names) like any value given to Client.Set.
type Price struct {
	SKU   string `msgpack:"sku"`
	Cents int    `msgpack:"cents"`
}

// errNoSuchUser is the "not found" failure the negative-caching part caches.
var errNoSuchUser = errors.New("no such user")

func main() {
	ctx := context.Background()

	// One client per application. Memoized functions need a namespace: it is the first
	// part of their keys, the same keys the Python, Rust and TypeScript SDKs compute.
	c, err := cachekit.New(cachekit.Options{Namespace: "memoize-example"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close() // waits for background refreshes

	firstCallThenHit(ctx, c)
	singleFlight(ctx, c)
	staleWhileRevalidate(ctx, c)
	negativeCaching(ctx, c)

	s := c.Stats().Memo
	fmt.Printf("\nmemo stats: loader runs %d, hits %d, misses %d, stale served %d, negative hits %d\n",
		s.LoaderRuns, s.Hits, s.Misses, s.StaleServed, s.NegativeHits)
}

// firstCallThenHit: the first call runs the function and stores its result; the
// second finds it in the cache (here the L1, the client's in-process layer).
func firstCallThenHit(ctx context.Context, c *cachekit.Client) {
	var runs atomic.Int64
	lookupPrice := func(ctx context.Context, sku string) (Price, error) {
		runs.Add(1)
		time.Sleep(100 * time.Millisecond) // a slow database query or API call
		return Price{SKU: sku, Cents: 250}, nil
	}
	// The returned function has the same shape as lookupPrice. Memoize1 validates
	// everything now, so a bad namespace or option fails here, not at the first call.
	price, err := cachekit.Memoize1(c, "lookup_price", lookupPrice, cachekit.MemoTTL(5*time.Minute))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("first call, then a hit:")
	for _, label := range []string{"first call: ", "second call:"} {
		start := time.Now()
		p, err := price(ctx, "espresso")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  %s %s costs %d cents (loader runs: %d, took %v)\n",
			label, p.SKU, p.Cents, runs.Load(), elapsed(start))
	}
}

// singleFlight: 100 goroutines ask for the same key before anything is cached. One
// of them runs the function; the others wait for its result instead of each running
// their own query (no thundering herd).
func singleFlight(ctx context.Context, c *cachekit.Client) {
	var runs atomic.Int64
	stockLevel := func(ctx context.Context, sku string) (int, error) {
		runs.Add(1)
		time.Sleep(200 * time.Millisecond)
		return 42, nil
	}
	stock, err := cachekit.Memoize1(c, "stock_level", stockLevel, cachekit.MemoTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}

	const callers = 100
	var (
		wg       sync.WaitGroup
		answered atomic.Int64
		start    = make(chan struct{})
	)
	for range callers {
		wg.Go(func() {
			<-start // release every goroutine at once
			n, err := stock(ctx, "espresso")
			if err != nil {
				log.Fatal(err)
			}
			if n == 42 {
				answered.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	fmt.Printf("\nsingle-flight: %d concurrent callers answered, loader runs: %d\n", answered.Load(), runs.Load())
}

// staleWhileRevalidate: once a value is older than TTL x ratio it is stale. A call
// then returns it at once and refreshes it in the background, so no caller waits for
// the slow function after the first load.
func staleWhileRevalidate(ctx context.Context, c *cachekit.Client) {
	var version atomic.Int64
	exchangeRate := func(ctx context.Context, pair string) (string, error) {
		v := version.Add(1)
		time.Sleep(50 * time.Millisecond)
		return fmt.Sprintf("%s rate v%d", pair, v), nil
	}
	// Values live 10 s and turn stale after 2% of that (about 200 ms, with a per-entry
	// jitter of +-10%), so the example need not wait long. The default ratio is 0.5.
	rate, err := cachekit.Memoize1(c, "exchange_rate", exchangeRate,
		cachekit.MemoTTL(10*time.Second), cachekit.MemoSWR(0.02))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("\nstale-while-revalidate (TTL 10s, stale after about 200ms):")
	v, err := rate(ctx, "EUR/USD")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("  first call:    %s\n", v)

	time.Sleep(300 * time.Millisecond) // past the stale point, far from the 10 s expiry
	before := c.Stats().Memo.Refreshes
	v, err = rate(ctx, "EUR/USD")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("  after 300ms:   %s (stale, returned at once; refreshes started: %d)\n",
		v, c.Stats().Memo.Refreshes-before)

	// The refresh runs in the background. Calls meanwhile still get the stale value;
	// once it has stored the new one, calls get that.
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err = rate(ctx, "EUR/USD")
		if err != nil {
			log.Fatal(err)
		}
		if v != "EUR/USD rate v1" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("  after refresh: %s\n", v)
}

// negativeCaching: failures are not cached unless asked. MemoCacheError caches the
// failures matching a target error (here for 30 s), so a flood of requests for a
// missing record does not reach the database each time.
func negativeCaching(ctx context.Context, c *cachekit.Client) {
	var lookups atomic.Int64
	findUser := func(ctx context.Context, id int) (string, error) {
		lookups.Add(1)
		if id == 404 {
			return "", errNoSuchUser
		}
		return "Ada", nil
	}
	user, err := cachekit.Memoize1(c, "find_user", findUser, cachekit.MemoCacheError(30*time.Second, errNoSuchUser))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("\nnegative caching:")
	_, err = user(ctx, 404)
	fmt.Printf("  first call:  %v (lookups: %d)\n", err, lookups.Load())
	// The cached failure matches both the original error and ErrCachedFailure.
	_, err = user(ctx, 404)
	fmt.Printf("  second call: %v; is errNoSuchUser: %v, from the cache: %v (lookups: %d)\n",
		err, errors.Is(err, errNoSuchUser), errors.Is(err, cachekit.ErrCachedFailure), lookups.Load())
}

// elapsed is the time since start, rounded for printing.
func elapsed(start time.Time) time.Duration {
	d := time.Since(start)
	if d >= time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}
