package cachekey_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

func ExampleInterop() {
	// The key cachekit-py computes for @cache(interop="get_user", namespace="users")
	// called as get_user(42) (vector single_int).
	key, err := cachekey.Interop("users", "get_user", 42)
	if err != nil {
		panic(err)
	}
	fmt.Println(key)
	// Output:
	// users:get_user:61598716255080080f6456eb065c2e51badfaa4320b0efe97469c29cffee8875
}

func ExampleInterop_numbers() {
	// An integral float hashes as the integer, as JavaScript cannot tell them apart.
	a, _ := cachekey.Interop("t", "op", 2)
	b, _ := cachekey.Interop("t", "op", 2.0)
	c, _ := cachekey.Interop("t", "op", 2.5)
	fmt.Println(a == b, a == c)
	// Output:
	// true false
}

func ExampleInterop_errors() {
	_, err := cachekey.Interop("Users", "get_user", 42)
	fmt.Println(errors.Is(err, cachekey.ErrInvalidSegment))
	_, err = cachekey.Interop("ns", "get_user", 42)
	fmt.Println(errors.Is(err, cachekey.ErrReservedNamespace))
	_, err = cachekey.Interop("users", "get_user", struct{ ID int }{42})
	fmt.Println(errors.Is(err, cachekey.ErrUnsupportedType), err)
	// Output:
	// true
	// true
	// true cachekey: args[0]: type struct { ID int } is outside the interop data model
}

func ExampleCanonicalArgs() {
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := cachekey.CanonicalArgs(cachekey.Set{"b", 10, "a", "b"}, when, map[string]any{"z": 1, "a": nil})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)
	// Output:
	// 93930aa161a162ce6592008082a161c0a17a01
}

func ExampleUUID() {
	u, _ := cachekey.ParseUUID("550E8400-E29B-41D4-A716-446655440000")
	fmt.Println(u)
	key, _ := cachekey.Interop("users", "get_by_uuid", u)
	fmt.Println(key)
	// Output:
	// 550e8400-e29b-41d4-a716-446655440000
	// users:get_by_uuid:14821dfe8848465aa23db43cb83be508f51d9ac556479bcc78b8a522e268a62a
}
