package envelope_test

import (
	"errors"
	"fmt"

	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

func ExampleStore() {
	env, err := envelope.Store([]byte("hello, cachekit!"), envelope.FormatMsgpack)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", env)

	data, format, err := envelope.Retrieve(env)
	fmt.Printf("%s %s %v\n", data, format, err)
	// Output:
	// 94c412f00168656c6c6f2c2063616368656b697421986dcc8a34ccb63a3c52ccd310a76d73677061636b
	// hello, cachekit! msgpack <nil>
}

func ExampleRetrieve_rejected() {
	// simple_string's envelope with original_size raised to 18001: more than 1000
	// times its 18-byte block, a decompression bomb refused before any allocation.
	bomb := []byte("\x94\xc4\x12\xf0\x01hello, cachekit!\x98\x6d\xcc\x8a\x34\xcc\xb6\x3a\x3c\x52\xcc\xd3\xcd\x46\x51\xa7msgpack")
	_, _, err := envelope.Retrieve(bomb)

	var re *envelope.RejectError
	if errors.As(err, &re) {
		fmt.Println(re.Step, errors.Is(err, envelope.ErrRatio), errors.Is(err, envelope.ErrRejected))
	}
	// Output:
	// step 5 (ratio) true true
}

func ExampleRefusePythonFrame() {
	// The start of a value cachekit-py stored in auto mode.
	stored := []byte("CK\x03\x00\x00\x00\x1c{\"s\": \"default\", \"v\": \"2.0\"}\x94...")
	fmt.Println(envelope.IsPythonFrame(stored))

	h, err := envelope.ParseFrameHeader(stored)
	fmt.Println(h.Serializer, h.PayloadOffset, err)

	err = envelope.RefusePythonFrame(stored)
	fmt.Println(errors.Is(err, envelope.ErrPythonFrame))
	// Output:
	// true
	// default 35 <nil>
	// true
}
