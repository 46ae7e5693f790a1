package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

func Example() {
	b, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	if err := b.Set(ctx, "app:greeting", []byte("hello"), time.Minute); err != nil {
		panic(err)
	}
	v, found, err := b.Get(ctx, "app:greeting")
	fmt.Printf("%s %v %v\n", v, found, err)

	_, found, err = b.Get(ctx, "app:missing")
	fmt.Println(found, err)

	err = b.Set(ctx, "app:forever", []byte("x"), 0)
	fmt.Println(err)
	// Output:
	// hello true <nil>
	// false <nil>
	// memory set "app:forever": permanent: backend: ttl must be positive
}

func ExampleBackend_SubscribeInvalidations() {
	b, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	changes := make(chan backend.Invalidation, 8)
	stop, err := b.SubscribeInvalidations(ctx, "app:", func(inv backend.Invalidation) { changes <- inv })
	if err != nil {
		panic(err)
	}
	defer stop()

	writer := backend.WithOrigin(ctx, "client-2")
	_ = b.Set(writer, "other:key", []byte("not under app:"), time.Minute)
	_ = b.Set(writer, "app:user:42", []byte("v1"), time.Minute)
	_, _ = b.Delete(ctx, "app:user:42")

	for range 2 {
		inv := <-changes
		fmt.Printf("%s changed (origin %q)\n", inv.Key, inv.Origin)
	}
	// Output:
	// app:user:42 changed (origin "client-2")
	// app:user:42 changed (origin "")
}

func ExampleBackend_AcquireLock() {
	b, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	id, acquired, _ := b.AcquireLock(ctx, "app:report", 5*time.Second)
	fmt.Println("first:", acquired)
	_, acquired, _ = b.AcquireLock(ctx, "app:report", 5*time.Second)
	fmt.Println("second:", acquired)
	released, _ := b.ReleaseLock(ctx, "app:report", "someone else")
	fmt.Println("released by a stranger:", released)
	released, _ = b.ReleaseLock(ctx, "app:report", id)
	fmt.Println("released by the holder:", released)
	// Output:
	// first: true
	// second: false
	// released by a stranger: false
	// released by the holder: true
}
