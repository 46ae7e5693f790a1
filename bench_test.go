package cachekit

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/cachekit-io/cachekit-go/backend/file"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

type benchUser struct {
	ID     int64  `msgpack:"id"`
	Name   string `msgpack:"name"`
	Active bool   `msgpack:"active"`
}

const benchKeys = 256

func benchKeyNames() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprint("user:", i)
	}
	return keys
}

// bareOtter is the baseline: an otter cache of the same shape as the L1 (string keys,
// per-entry expiry) holding the same bytes.
func bareOtter(b *testing.B, keys []string, value []byte) *otter.Cache[string, []byte] {
	o := otter.Must(&otter.Options[string, []byte]{
		MaximumSize:      DefaultL1Capacity,
		ExpiryCalculator: otter.ExpiryWriting[string, []byte](time.Minute),
	})
	b.Cleanup(func() { o.StopAllGoroutines() })
	for _, k := range keys {
		o.Set(k, value)
	}
	return o
}

func benchClient(b *testing.B, o Options) *Client {
	o.Env = noEnv
	c, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// BenchmarkGetHit measures L1 hits beside a bare otter lookup and a bare MessagePack
// decode of the same bytes, in the same run: a hit should cost about the sum of the two.
func BenchmarkGetHit(b *testing.B) {
	ctx := context.Background()
	keys := benchKeyNames()
	user := benchUser{ID: 42, Name: "Ada Lovelace", Active: true}
	userBytes, _ := codec.Marshal(user)

	b.Run("struct/otter", func(b *testing.B) {
		o := bareOtter(b, keys, userBytes)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok := o.GetIfPresent(keys[i%benchKeys]); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("struct/otter+decode", func(b *testing.B) {
		o := bareOtter(b, keys, userBytes)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, _ := o.GetIfPresent(keys[i%benchKeys])
			var u benchUser
			if err := codec.Unmarshal(v, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct/cachekit", func(b *testing.B) {
		c := benchClient(b, Options{})
		for _, k := range keys {
			_ = c.Set(ctx, k, user)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok, err := Get[benchUser](ctx, c, keys[i%benchKeys]); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})

	raw := make([]byte, 64)
	rawBytes, _ := codec.Marshal(raw)
	b.Run("bytes/otter+decode", func(b *testing.B) {
		o := bareOtter(b, keys, rawBytes)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, _ := o.GetIfPresent(keys[i%benchKeys])
			var out []byte
			if err := codec.Unmarshal(v, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bytes/cachekit", func(b *testing.B) {
		c := benchClient(b, Options{})
		for _, k := range keys {
			_ = c.Set(ctx, k, raw)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok, err := Get[[]byte](ctx, c, keys[i%benchKeys]); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})

	secret := make([]byte, 1024)
	b.Run("secure-1KiB/otter+open+decode", func(b *testing.B) {
		key, _ := encryption.ParseMasterKey(testKeyA)
		kr, _ := encryption.NewKeyring(key, nil, encryption.DefaultTenant)
		plain, _ := codec.Marshal(secret)
		// One ciphertext per key, as the client holds: a single shared value would stay
		// hot in the CPU cache and flatter the baseline.
		o := bareOtter(b, nil, nil)
		for _, k := range keys {
			sealed, _ := kr.Seal(plain, encryption.AAD(kr.Tenant(), k, encryption.FormatMsgpack, false))
			o.Set(k, sealed)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := keys[i%benchKeys]
			v, _ := o.GetIfPresent(k)
			pt, _, err := kr.Open(v, encryption.AAD(kr.Tenant(), k, encryption.FormatMsgpack, false))
			if err != nil {
				b.Fatal(err)
			}
			var out []byte
			if err := codec.Unmarshal(pt, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("secure-1KiB/cachekit", func(b *testing.B) {
		c := benchClient(b, Options{MasterKey: Secret(testKeyA)})
		s, _ := c.Secure()
		for _, k := range keys {
			_ = s.Set(ctx, k, secret)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok, err := Get[[]byte](ctx, s, keys[i%benchKeys]); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkSet measures a write through the client (encode, backend, L1) beside the
// backend's own Set of the encoded bytes.
func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	keys := benchKeyNames()
	user := benchUser{ID: 42, Name: "Ada Lovelace", Active: true}
	userBytes, _ := codec.Marshal(user)

	mem := func(b *testing.B) *memory.Backend {
		m, err := memory.New(memory.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = m.Close() })
		return m
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.Marshal(user); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("memory/backend", func(b *testing.B) {
		m := mem(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := m.Set(ctx, keys[i%benchKeys], userBytes, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("memory/cachekit", func(b *testing.B) {
		c := benchClient(b, Options{Backend: mem(b)})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := c.Set(ctx, keys[i%benchKeys], user); err != nil {
				b.Fatal(err)
			}
		}
	})
	fileBackend := func(b *testing.B) *file.Backend {
		f, err := file.New(file.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	b.Run("file/backend", func(b *testing.B) {
		f := fileBackend(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := f.Set(ctx, keys[i%benchKeys], userBytes, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file/cachekit", func(b *testing.B) {
		c := benchClient(b, Options{Backend: fileBackend(b)})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := c.Set(ctx, keys[i%benchKeys], user); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// l2Parallelisms are the numbers of concurrent callers of the L2 benchmarks.
var l2Parallelisms = []int{1, 8, 64}

// runL2 calls op b.N times with about p concurrent callers (a plain loop for p == 1),
// each starting at its own place in the key space.
func runL2(b *testing.B, p int, op func(i int) error) {
	b.Helper()
	b.ReportAllocs()
	if p <= 1 {
		for i := 0; b.Loop(); i++ {
			if err := op(i % benchKeys); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	var worker atomic.Int64
	b.SetParallelism(max(1, p/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1)) * 97
		for pb.Next() {
			if err := op(i % benchKeys); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkL2 measures the client's backend path (L1 off) over the memory backend, with
// 1, 8 and 64 concurrent callers, beside the same backend call plus the same MessagePack
// decode or encode done by hand: the gap is what the client adds (key checks, the
// namespace, counters, the container check, and with the production preset the
// reliability middleware).
func BenchmarkL2(b *testing.B) {
	ctx := context.Background()
	keys := benchKeyNames()
	value := make([]byte, 1024)
	encoded, _ := codec.Marshal(value)
	clients := []struct {
		name string
		o    Options
	}{
		{"cachekit", Options{}},
		{"cachekit-production", ProductionOptions()},
	}
	for _, op := range []string{"get", "set"} {
		for _, p := range l2Parallelisms {
			prefix := fmt.Sprintf("op=%s/par=%d/impl=", op, p)
			b.Run(prefix+"backend", func(b *testing.B) {
				m, err := memory.New(memory.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = m.Close() })
				storage := make([]string, len(keys))
				for i, k := range keys {
					storage[i] = "bench:" + k
					if err := m.Set(ctx, storage[i], encoded, time.Hour); err != nil {
						b.Fatal(err)
					}
				}
				runL2(b, p, func(i int) error {
					if op == "set" {
						data, err := codec.Marshal(value)
						if err != nil {
							return err
						}
						return m.Set(ctx, storage[i], data, time.Hour)
					}
					stored, found, err := m.Get(ctx, storage[i])
					if err != nil || !found {
						return fmt.Errorf("found %v, %w", found, err)
					}
					var out []byte
					return codec.Unmarshal(stored, &out)
				})
			})
			for _, cl := range clients {
				b.Run(prefix+cl.name, func(b *testing.B) {
					m, err := memory.New(memory.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { _ = m.Close() })
					o := cl.o
					o.Backend, o.Namespace, o.DefaultTTL = m, "bench", time.Hour
					o.L1 = L1Options{Disabled: true}
					c := benchClient(b, o)
					for _, k := range keys {
						if err := c.Set(ctx, k, value); err != nil {
							b.Fatal(err)
						}
					}
					runL2(b, p, func(i int) error {
						if op == "set" {
							return c.Set(ctx, keys[i], value)
						}
						_, found, err := Get[[]byte](ctx, c, keys[i])
						if err != nil || !found {
							return fmt.Errorf("found %v, %w", found, err)
						}
						return nil
					})
				})
			}
		}
	}
}
