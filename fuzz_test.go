package cachekit

import (
	"context"
	"testing"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

// FuzzReadStoredBytes puts arbitrary bytes where a client reads, through every
// pipeline: no input panics; a Secure read of bytes it did not seal is always an error;
// a plain read that succeeds returns what the codec itself decodes.
func FuzzReadStoredBytes(f *testing.F) {
	plain, _ := codec.Marshal(map[string]any{"a": 1, "b": []any{"x", 2.5}})
	env, _ := envelope.Store(plain, "msgpack")
	for _, seed := range [][]byte{nil, {0xc0}, plain, env, []byte("CK\x03\x00\x00\x00\x02{}"), make([]byte, 40)} {
		f.Add(seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, stored []byte) {
		for _, container := range []Container{ContainerPlain, ContainerEnvelope} {
			c, fb := newFakeClient(t, Options{Container: container, MasterKey: Secret(testKeyA)})
			fb.put("k", stored)
			var got any
			found, err := c.Get(ctx, "k", &got)
			if err == nil && found && container == ContainerPlain {
				var want any
				if codec.Unmarshal(stored, &want) != nil {
					t.Fatalf("the client decoded bytes the codec refuses")
				}
			}
			c.l1.Invalidate("k")
			var sec any
			if found, err := newSecure(t, c).Get(ctx, "k", &sec); err == nil || found {
				t.Fatalf("a Secure read of unsealed bytes returned found=%v err=%v", found, err)
			}
		}
	})
}
