package codec_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

func ExampleMarshal() {
	type User struct {
		Name  string `json:"name"`
		Age   int    `msgpack:"age"`
		Email string `json:"email,omitempty"`
	}
	b, err := codec.Marshal(User{Name: "alice", Age: 30})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)

	var back User
	if err := codec.Unmarshal(b, &back); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", back)
	// Output:
	// 82a46e616d65a5616c696365a36167651e
	// {Name:alice Age:30 Email:}
}

func ExampleMarshalCanonical() {
	b, err := codec.MarshalCanonical(map[string]any{"name": "alice", "age": 30, "score": 2.0})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)
	// Output:
	// 83a36167651ea46e616d65a5616c696365a573636f7265cb4000000000000000
}

func ExampleUnmarshal_datetime() {
	when := time.Date(2024, 1, 1, 12, 30, 45, 123456000, time.UTC)
	b, _ := codec.Marshal(map[string]any{"when": when})

	var v any
	if err := codec.Unmarshal(b, &v); err != nil {
		panic(err)
	}
	got := v.(map[string]any)["when"].(time.Time)
	fmt.Println(got.Format(time.RFC3339Nano), got.Equal(when))
	// Output:
	// 2024-01-01T12:30:45.123456Z true
}

func ExampleUnmarshalStrict() {
	// A cachekit-py auto-mode entry starts with the "CK" magic.
	frame := []byte{0x43, 0x4b, 0x03, 0x00, 0x00, 0x00, 0x02, '{', '}'}
	var v any
	err := codec.UnmarshalStrict(frame, &v)
	fmt.Println(errors.Is(err, codec.ErrPythonFrame), errors.Is(err, codec.ErrTrailingBytes))

	err = codec.UnmarshalStrict([]byte{0x2a, 0x00}, &v)
	fmt.Println(errors.Is(err, codec.ErrTrailingBytes))
	// Output:
	// true true
	// true
}
