package redis_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/redis"
)

func ExampleParseURL() {
	opts, err := redis.ParseURL("rediss://app:s3cret@cache.example.com:6380/2?read_timeout=250ms")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Addrs, opts.Username, opts.DB, opts.TLS != nil, opts.ReadTimeout)
	// Printing the options never shows the password.
	fmt.Println(opts)
	// Output:
	// [cache.example.com:6380] app 2 true 250ms
	// redis.Options{Addrs:[cache.example.com:6380] Username:app Password:<redacted> DB:2 TLS:true Invalidation:auto}
}

func ExampleParseURL_sentinel() {
	opts, err := redis.ParseURL("redis://sentinel-1:26379?addr=sentinel-2:26379&master_set=cache")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Addrs, opts.MasterName)
	// Output: [sentinel-1:26379 sentinel-2:26379] cache
}

// Connecting, storing and subscribing to invalidations (needs a running server, so this
// example is compiled but not run).
func ExampleNew() {
	b, err := redis.New(redis.Options{Addrs: []string{"localhost:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()

	stop, err := b.SubscribeInvalidations(ctx, "myapp:", func(inv backend.Invalidation) {
		if inv.Key == "" {
			fmt.Println("evict everything under myapp:")
			return
		}
		fmt.Println("evict", inv.Key)
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stop()

	if err := b.Set(ctx, "myapp:greeting", []byte("hello"), 10*time.Minute); err != nil {
		log.Fatal(err)
	}
	v, found, err := b.Get(ctx, "myapp:greeting")
	fmt.Println(string(v), found, err)
}
