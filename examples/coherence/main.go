// Command coherence shows two clients, standing for two processes, whose L1 caches
// stay coherent: when one writes a key, the backend tells the other, which drops its
// L1 copy, so its next read fetches the new value instead of serving the old one.
//
//	go run ./examples/coherence                       # one in-process memory backend
//	go run ./examples/coherence -redis 127.0.0.1:6380  # the same over a Redis server
//
// With -redis each client gets its own connection pool, as separate processes would,
// and Redis client tracking carries the notifications. Any Redis 6 or newer works, for
// example one started with `redis-server --port 6380 --save ""`. The example writes
// under the namespace "coherence-example" only.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/backend/redis"
)

const (
	namespace = "coherence-example"
	key       = "config:theme"
)

func main() {
	redisAddr := flag.String("redis", "", "use the Redis server at this host:port instead of an in-process backend")
	flag.Parse()
	ctx := context.Background()

	// With Redis each client gets its own backend (its own connections), as separate
	// processes would, and closes it. In memory both share one, closed after them.
	var (
		newBackend func() backend.Backend
		kind       string
	)
	if *redisAddr != "" {
		newBackend, kind = func() backend.Backend {
			r, err := redis.New(redis.Options{Addrs: []string{*redisAddr}})
			if err != nil {
				log.Fatal(err)
			}
			return r
		}, "redis "+*redisAddr
	} else {
		shared, err := memory.New(memory.Options{})
		if err != nil {
			log.Fatal(err)
		}
		defer shared.Close()
		newBackend, kind = func() backend.Backend { return shared }, "memory (shared in process)"
	}

	// Both clients subscribe to changes under their namespace when the backend can
	// notify (memory and Redis can; file, Memcached and cachekit.io cannot).
	ownBackend := *redisAddr != ""
	a := newClient(newBackend(), ownBackend)
	defer a.Close()
	b := newClient(newBackend(), ownBackend)
	defer b.Close()
	fmt.Printf("backend: %s; B kept coherent: %v\n", kind, b.Stats().Coherence.Subscribed)

	// A writes the first value. Notifications are asynchronous: B is told about this
	// write too, even though it has nothing cached yet. Wait for it so that it cannot
	// arrive after B's first read below and make the output vary from run to run.
	seen := b.Stats().InvalidationsReceived
	set(ctx, a, "light")
	waitForInvalidation(b, seen)

	// B reads twice: from the backend (an L2 hit, which fills B's L1), then from its L1.
	fmt.Printf("B reads %q\n", get(ctx, b))
	fmt.Printf("B reads %q\n", get(ctx, b))
	printStats("before A's second write", b)

	// A writes a new value. The backend notifies B, which evicts its L1 copy, usually
	// within a millisecond. Without that, B would serve "light" from its L1 until the
	// copy's lifetime ended.
	seen = b.Stats().InvalidationsReceived
	set(ctx, a, "dark")
	waitForInvalidation(b, seen)
	fmt.Printf("after A writes %q, B reads %q\n", "dark", get(ctx, b))
	printStats("after A's second write", b)

	// A's own writes carry its identity, so the notifications they cause do not evict
	// A's fresh copy: A reads from its L1.
	fmt.Printf("A reads %q; A's L1 hits: %d, invalidations received: %d\n",
		get(ctx, a), a.Stats().L1Hits, a.Stats().InvalidationsReceived)
}

// newClient returns a client over b; with closeBackend, Client.Close closes b too.
func newClient(b backend.Backend, closeBackend bool) *cachekit.Client {
	c, err := cachekit.New(cachekit.Options{
		Backend:      b,
		Namespace:    namespace,
		DefaultTTL:   time.Minute,
		CloseBackend: closeBackend,
	})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func set(ctx context.Context, c *cachekit.Client, theme string) {
	if err := c.Set(ctx, key, theme); err != nil {
		log.Fatal(err)
	}
}

func get(ctx context.Context, c *cachekit.Client) string {
	theme, found, err := cachekit.Get[string](ctx, c, key)
	if err != nil {
		log.Fatal(err)
	}
	if !found {
		log.Fatalf("%s is missing", key)
	}
	return theme
}

// waitForInvalidation waits until c has received an invalidation beyond the first
// seen. A real program never waits like this; the example does so to print the same
// lines on every run.
func waitForInvalidation(c *cachekit.Client, seen uint64) {
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats().InvalidationsReceived <= seen {
		if time.Now().After(deadline) {
			log.Fatal("no invalidation arrived within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func printStats(when string, c *cachekit.Client) {
	s := c.Stats()
	fmt.Printf("B stats %s: L1 hits %d, L2 hits %d, misses %d, invalidations received %d\n",
		when, s.L1Hits, s.L2Hits, s.Misses, s.InvalidationsReceived)
}
