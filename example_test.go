package cachekit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/memory"
)

// noEnv keeps the examples independent of the machine's CACHEKIT_* variables.
func noEnv(string) (string, bool) { return "", false }

func Example() {
	ctx := context.Background()
	c, err := cachekit.New(cachekit.Options{Namespace: "myapp", Env: noEnv})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	if err := c.Set(ctx, "greeting", "Hello, world!", cachekit.WithTTL(10*time.Minute)); err != nil {
		panic(err)
	}
	msg, found, err := cachekit.Get[string](ctx, c, "greeting")
	fmt.Println(msg, found, err)

	_, found, err = cachekit.Get[string](ctx, c, "absent")
	fmt.Println(found, err)
	// Output:
	// Hello, world! true <nil>
	// false <nil>
}

type User struct {
	ID    int      `msgpack:"id"`
	Name  string   `msgpack:"name"`
	Roles []string `msgpack:"roles"`
}

func ExampleGet() {
	ctx := context.Background()
	c, _ := cachekit.New(cachekit.Options{Env: noEnv})
	defer c.Close()

	_ = c.Set(ctx, "user:42", User{ID: 42, Name: "Ada", Roles: []string{"admin"}})
	u, found, err := cachekit.Get[User](ctx, c, "user:42")
	fmt.Printf("%+v %v %v\n", u, found, err)

	// A value of another type is an error, not a miss.
	_, _, err = cachekit.Get[int](ctx, c, "user:42")
	fmt.Println(errors.Is(err, cachekit.ErrSerialization))
	// Output:
	// {ID:42 Name:Ada Roles:[admin]} true <nil>
	// true
}

func ExampleGetMany() {
	ctx := context.Background()
	c, _ := cachekit.New(cachekit.Options{Env: noEnv})
	defer c.Close()

	_ = c.Set(ctx, "a", 1)
	_ = c.Set(ctx, "b", 2)
	m, err := cachekit.GetMany[int](ctx, c, []string{"a", "b", "c"})
	fmt.Println(m, err)
	// Output: map[a:1 b:2] <nil>
}

func ExampleClient_Secure() {
	ctx := context.Background()
	mem, _ := memory.New(memory.Options{})
	defer mem.Close()
	c, err := cachekit.New(cachekit.Options{
		Backend:   mem,
		Namespace: "myapp",
		// In production: CACHEKIT_MASTER_KEY, from `openssl rand -hex 32`.
		MasterKey: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		Env:       noEnv,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	sec, err := c.Secure()
	if err != nil {
		panic(err)
	}
	_ = sec.Set(ctx, "user:42:ssn", "123-45-6789")

	ssn, found, err := cachekit.Get[string](ctx, sec, "user:42:ssn")
	fmt.Println(ssn, found, err)

	// The backend holds ciphertext: the plain client refuses it.
	_, _, err = cachekit.Get[string](ctx, c, "user:42:ssn")
	fmt.Println(errors.Is(err, cachekit.ErrSerialization))
	// Output:
	// 123-45-6789 true <nil>
	// true
}

func ExampleLoadEnv() {
	// FromEnv and NewFromEnv read the process environment; LoadEnv takes any lookup.
	env := map[string]string{
		"CACHEKIT_NAMESPACE":   "orders",
		"CACHEKIT_DEFAULT_TTL": "120",
		"CACHEKIT_MASTER_KEY":  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }

	o, err := cachekit.LoadEnv(lookup)
	fmt.Println(o.Namespace, o.DefaultTTL, o.MasterKey, o.Encrypt, err)

	env["CACHEKIT_DEFAULT_TTL"] = "0"
	_, err = cachekit.LoadEnv(lookup)
	fmt.Println(err)
	// Output:
	// orders 2m0s [redacted] false <nil>
	// cachekit: env: config: CACHEKIT_DEFAULT_TTL must be a whole number of seconds, at least 1: it is below 1
}

func ExampleContainer() {
	ctx := context.Background()
	mem, _ := memory.New(memory.Options{})
	defer mem.Close()

	// Envelope mode: LZ4 and an xxHash3-64 checksum around the MessagePack, the container
	// cachekit-ts reads and writes.
	ts, _ := cachekit.New(cachekit.Options{Backend: mem, Container: cachekit.ContainerEnvelope, Env: noEnv})
	defer ts.Close()
	_ = ts.Set(ctx, "k", "shared with TypeScript")
	v, _, err := cachekit.Get[string](ctx, ts, "k")
	fmt.Println(v, err)

	// A plain-mode client never guesses: it says what it found.
	rs, _ := cachekit.New(cachekit.Options{Backend: mem, Env: noEnv})
	defer rs.Close()
	_, _, err = cachekit.Get[string](ctx, rs, "k")
	fmt.Println(err)
	// Output:
	// shared with TypeScript <nil>
	// cachekit: get "k": serialization: found a ByteStorage envelope; configure Container: ContainerEnvelope to read it
}

func ExampleSecureOptions() {
	o := cachekit.SecureOptions("") // no key given, and none in the environment
	o.Env = noEnv
	_, err := cachekit.New(o)
	fmt.Println(errors.Is(err, cachekit.ErrNoMasterKey))
	// Output: true
}
