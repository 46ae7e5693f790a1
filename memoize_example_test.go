package cachekit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/reliability"
)

func ExampleMemoize1() {
	ctx := context.Background()
	c, err := cachekit.New(cachekit.Options{Namespace: "users", Env: noEnv})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	queries := 0
	loadUser := func(ctx context.Context, id int) (User, error) {
		queries++ // a database query
		return User{ID: id, Name: "Ada"}, nil
	}
	getUser, err := cachekit.Memoize1(c, "get_user", loadUser, cachekit.MemoTTL(5*time.Minute))
	if err != nil {
		panic(err)
	}
	for range 3 {
		u, err := getUser(ctx, 42)
		fmt.Println(u.Name, err)
	}
	fmt.Println("queries:", queries)

	// The entry is under the interop/v1 key the Python, Rust and TypeScript SDKs
	// compute for get_user(42) in the namespace "users".
	found, _ := c.Backend().Exists(ctx, "users:get_user:61598716255080080f6456eb065c2e51badfaa4320b0efe97469c29cffee8875")
	fmt.Println("stored under the interop key:", found)
	// Output:
	// Ada <nil>
	// Ada <nil>
	// Ada <nil>
	// queries: 1
	// stored under the interop key: true
}

func ExampleMemoCacheError() {
	ctx := context.Background()
	c, _ := cachekit.New(cachekit.Options{Namespace: "users", Env: noEnv})
	defer c.Close()

	errNoUser := errors.New("no such user")
	lookups := 0
	getUser, _ := cachekit.Memoize1(c, "get_user", func(ctx context.Context, id int) (string, error) {
		lookups++
		return "", errNoUser
	}, cachekit.MemoCacheError(30*time.Second, errNoUser))

	_, err := getUser(ctx, 7)
	fmt.Println(err)
	_, err = getUser(ctx, 7) // answered from the cache for 30 s
	fmt.Println(errors.Is(err, errNoUser), errors.Is(err, cachekit.ErrCachedFailure), lookups)
	// Output:
	// no such user
	// true true 1
}

func ExampleProductionOptions() {
	l2, err := memory.New(memory.Options{}) // or redis.New(...)
	if err != nil {
		panic(err)
	}
	defer l2.Close()

	o := cachekit.ProductionOptions() // 600 s TTL, coherent L1, reliability stack on
	o.Backend = l2
	o.Namespace = "myapp"
	o.Env = noEnv
	o.Reliability.OnStateChange = func(from, to reliability.State) {
		fmt.Println("circuit breaker:", from, "->", to)
	}
	c, err := cachekit.New(o)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	_ = c.Set(context.Background(), "greeting", "hello")
	s := c.Stats()
	fmt.Println("breaker:", s.Reliability.State, "calls:", s.Reliability.Calls)
	// Output:
	// breaker: closed calls: 1
}
