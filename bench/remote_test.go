package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cachekit-io/cachekit-go"
)

// samplePayloads are the 1 KiB values of the server benchmarks, one per key.
var samplePayloads = func() [][]byte {
	p := make([][]byte, keyCount)
	for i := range p {
		p[i] = samplePayload(i)
	}
	return p
}()

// remoteImpl is one client of a server under test, reading and writing 1 KiB values
// under its own keyCount keys.
type remoteImpl struct {
	name string
	get  func(ctx context.Context, i int) ([]byte, bool)
	set  func(ctx context.Context, i int) bool
	// readOnly marks an implementation measured on reads only; set still loads its keys.
	readOnly bool
}

// remoteFixture is the set of clients of one server and what closes them.
type remoteFixture struct {
	impls   []remoteImpl
	closers []func()
}

// close closes the clients in the reverse order of their creation.
func (f *remoteFixture) close() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		f.closers[i]()
	}
}

// preload writes every implementation's keys, so the read benchmarks measure hits.
func (f *remoteFixture) preload(ctx context.Context) error {
	for _, im := range f.impls {
		for i := range keyCount {
			if !im.set(ctx, i) {
				return fmt.Errorf("%s: writing key %d failed", im.name, i)
			}
		}
	}
	return nil
}

// storageKeys returns the keyCount storage keys "cachekit-bench:{tag}:NNNN" and the user
// keys that a cachekit client with Namespace "cachekit-bench" turns into them, so every
// implementation sends keys of the same length.
func storageKeys(tag string) (storage, user []string) {
	storage, user = make([]string, keyCount), make([]string, keyCount)
	for i := range storage {
		user[i] = fmt.Sprintf("%s:%04d", tag, i)
		storage[i] = keyPrefix + ":" + user[i]
	}
	return storage, user
}

// cachekitImpl measures client c under the user keys "{tag}:NNNN". Values go through the
// client's whole path: MessagePack encoding (a 1 KiB []byte becomes a 1027-byte bin),
// key checks, the L1 when it is on, and the backend.
func cachekitImpl(name string, c *cachekit.Client, tag string) remoteImpl {
	_, keys := storageKeys(tag)
	return remoteImpl{
		name: name,
		get: func(ctx context.Context, i int) ([]byte, bool) {
			v, found, err := cachekit.Get[[]byte](ctx, c, keys[i])
			return v, found && err == nil
		},
		set: func(ctx context.Context, i int) bool {
			return c.Set(ctx, keys[i], samplePayloads[i]) == nil
		},
	}
}

// checkRemote fails unless every implementation reads back exactly the value it wrote
// under every key.
func checkRemote(tb testing.TB, f *remoteFixture) {
	tb.Helper()
	ctx := context.Background()
	for _, im := range f.impls {
		for i := range keyCount {
			got, ok := im.get(ctx, i)
			if !ok {
				tb.Fatalf("%s: key %d missing", im.name, i)
			}
			if !bytes.Equal(got, samplePayloads[i]) {
				tb.Fatalf("%s: key %d holds %d bytes that differ from the %d written", im.name, i, len(got), len(samplePayloads[i]))
			}
		}
	}
}

// benchmarkRemote runs op=get then op=set for every implementation at every parallelism.
func benchmarkRemote(b *testing.B, f *remoteFixture) {
	ctx := context.Background()
	for _, op := range []string{"get", "set"} {
		for _, p := range parallelisms {
			for _, im := range f.impls {
				if op == "set" && im.readOnly {
					continue
				}
				b.Run(fmt.Sprintf("op=%s/par=%d/impl=%s", op, p, im.name), func(b *testing.B) {
					if op == "get" {
						run(b, p, func(i int) bool {
							v, ok := im.get(ctx, i)
							return ok && len(v) == 1024 && v[1023] == byte(i)
						})
						return
					}
					run(b, p, func(i int) bool { return im.set(ctx, i) })
				})
			}
		}
	}
}
