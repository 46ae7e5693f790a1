package memcached_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memcached"
)

func Example() {
	ctx := context.Background()
	// exampleServer is a local memcached started for the examples, e.g. "127.0.0.1:11211".
	b, err := memcached.New(memcached.Options{Servers: []string{exampleServer}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	if err := b.Set(ctx, "example:greeting", []byte("Hello, world!"), time.Minute); err != nil {
		fmt.Println(err)
		return
	}
	v, found, err := b.Get(ctx, "example:greeting")
	fmt.Printf("%s %v %v\n", v, found, err)

	_, found, err = b.Get(ctx, "example:absent")
	fmt.Println(found, err)
	// Output:
	// Hello, world! true <nil>
	// false <nil>
}

// Keys memcached cannot hold are refused before anything is sent; they are not hashed to
// fit, so that every cachekit SDK names the same entry with the same key.
func ExampleValidateKey() {
	for _, key := range []string{"myapp:user:42", "my app:user 42", strings.Repeat("k", 251)} {
		err := memcached.ValidateKey(key)
		fmt.Println(errors.Is(err, backend.ErrInvalidKey))
	}
	// Output:
	// false
	// true
	// true
}

// Lifetimes above 30 days are clamped, since memcached would read them as a Unix time.
func ExampleBackend_TTL() {
	ctx := context.Background()
	b, err := memcached.New(memcached.Options{Servers: []string{exampleServer}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	_ = b.Set(ctx, "example:report", []byte("..."), 90*24*time.Hour)
	ttl, found, err := b.TTL(ctx, "example:report")
	fmt.Println(found, err, ttl > 29*24*time.Hour && ttl <= memcached.MaxTTL)
	// Output:
	// true <nil> true
}

// A distributed lock for single-flight across processes.
func ExampleBackend_AcquireLock() {
	ctx := context.Background()
	b, err := memcached.New(memcached.Options{Servers: []string{exampleServer}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	id, acquired, err := b.AcquireLock(ctx, "example:expensive", 5*time.Second)
	fmt.Println("first:", acquired, err)
	_, acquired, _ = b.AcquireLock(ctx, "example:expensive", 5*time.Second)
	fmt.Println("second:", acquired)
	released, err := b.ReleaseLock(ctx, "example:expensive", id)
	fmt.Println("released:", released, err)
	// Output:
	// first: true <nil>
	// second: false
	// released: true <nil>
}

// Values are refused before sending when they cannot fit in a memcached item.
func ExampleBackend_Set_tooLarge() {
	b, err := memcached.New(memcached.Options{Servers: []string{exampleServer}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	err = b.Set(context.Background(), "example:big", make([]byte, b.MaxValueSize()+1), time.Minute)
	kind, _ := backend.KindOf(err)
	fmt.Println(b.MaxValueSize(), errors.Is(err, backend.ErrValueTooLarge), kind)
	// Output:
	// 1048262 true permanent
}
