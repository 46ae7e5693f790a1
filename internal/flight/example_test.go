package flight_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/internal/flight"
)

// Callers asking for the same key at the same time share one load.
func ExampleGroup_Do() {
	g, err := flight.New[string](flight.Options{})
	if err != nil {
		panic(err)
	}
	defer g.Close()

	v, shared, err := g.Do(context.Background(), "app:greeting", nil, func(ctx context.Context) (string, error) {
		return "hello", nil // the expensive computation
	})
	fmt.Println(v, shared, err)
	// Output: hello false <nil>
}

// Two processes sharing a backend: the second finds the value the first stored,
// after taking the lock, and never runs its own load.
func ExampleGroup_Do_acrossProcesses() {
	ctx := context.Background()
	b, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	const key = "app:get_user:42"
	check := func(ctx context.Context) (string, bool, error) {
		v, found, err := b.Get(ctx, key)
		return string(v), found, err
	}
	loadIn := func(process string) flight.LoadFunc[string] {
		return func(ctx context.Context) (string, error) {
			fmt.Println(process, "loads the user")
			return "Ada", b.Set(ctx, key, []byte("Ada"), time.Minute)
		}
	}

	for _, process := range []string{"process A", "process B"} {
		g, err := flight.New[string](flight.Options{Locker: b, Invalidator: b, InvalidationPrefix: "app:"})
		if err != nil {
			panic(err)
		}
		v, shared, err := g.Do(ctx, key, check, loadIn(process))
		fmt.Printf("%s: %s (shared %v, err %v)\n", process, v, shared, err)
		g.Close()
	}
	// Output:
	// process A loads the user
	// process A: Ada (shared false, err <nil>)
	// process B: Ada (shared true, err <nil>)
}
