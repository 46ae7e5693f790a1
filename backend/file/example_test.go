//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/file"
)

func Example() {
	dir, _ := os.MkdirTemp("", "cachekit-example")
	defer os.RemoveAll(dir)

	b, err := file.New(file.Options{Dir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	_ = b.Set(ctx, "greeting", []byte("hello"), time.Minute)
	value, found, _ := b.Get(ctx, "greeting")
	fmt.Printf("%s %v\n", value, found)
	ttl, _, _ := b.TTL(ctx, "greeting")
	fmt.Println(ttl <= time.Minute && ttl >= 59*time.Second)
	deleted, _ := b.Delete(ctx, "greeting")
	_, found, _ = b.Get(ctx, "greeting")
	fmt.Println(deleted, found)
	// Output:
	// hello true
	// true
	// true false
}

func ExampleEntryName() {
	// The same name cachekit-py gives the key (file-backend.json, "permanent_ascii").
	fmt.Println(file.EntryName("test-key"))
	// Output: 0e2a03b49262c15a063c04d5a29c0158
}

func ExampleParseHeader() {
	entry := []byte("CK\x01\x00\x00\x00\x00\x00\x00\x00\xf4\x86\x57\x00hello")
	h, err := file.ParseHeader(entry)
	fmt.Println(h.Expiry, err, string(entry[file.HeaderSize:]))

	flagged := []byte("CK\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00future")
	_, err = file.ParseHeader(flagged)
	fmt.Println(errors.Is(err, file.ErrUnsupportedEntry))
	// Output:
	// 4102444800 <nil> hello
	// true
}

func ExampleBackend_Set_tooLarge() {
	dir, _ := os.MkdirTemp("", "cachekit-example")
	defer os.RemoveAll(dir)

	b, _ := file.New(file.Options{Dir: dir, MaxTotalBytes: 1 << 20, MaxValueSize: 1024})
	err := b.Set(context.Background(), "big", make([]byte, 2048), time.Minute)
	fmt.Println(errors.Is(err, backend.ErrValueTooLarge), errors.Is(err, backend.ErrPermanent))
	// Output: true true
}

func ExampleNew_insecureDirectory() {
	dir, _ := os.MkdirTemp("", "cachekit-example")
	defer os.RemoveAll(dir)
	_ = os.Chmod(dir, 0o777) // anyone could plant entries here

	_, err := file.New(file.Options{Dir: dir})
	fmt.Println(errors.Is(err, file.ErrInvalidOptions), errors.Is(err, file.ErrInsecureDir))
	// Output: true true
}
