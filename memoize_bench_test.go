package cachekit

import (
	"context"
	"testing"
	"time"
)

type memoBenchUser struct {
	ID    int      `msgpack:"id"`
	Name  string   `msgpack:"name"`
	Email string   `msgpack:"email"`
	Roles []string `msgpack:"roles"`
}

// cheapUser returns at once; realisticUser stands for a fast database query (about
// 100 µs of waiting).
func cheapUser(_ context.Context, id int) (memoBenchUser, error) {
	return memoBenchUser{ID: id, Name: "Ada", Email: "ada@example.com", Roles: []string{"admin"}}, nil
}

func realisticUser(ctx context.Context, id int) (memoBenchUser, error) {
	time.Sleep(100 * time.Microsecond)
	return cheapUser(ctx, id)
}

// BenchmarkMemoize compares a memoized hit (L1) with the baselines measured in the
// same run: calling the function itself, and reading the same value with Get. The
// cheap and realistic hits repeat one argument; cheap-512-args cycles through 512.
func BenchmarkMemoize(b *testing.B) {
	ctx := context.Background()
	c := newClient(b, Options{Namespace: "bench"})
	const id = 42
	if err := c.Set(ctx, "user:42", memoBenchUser{ID: id, Name: "Ada", Email: "ada@example.com", Roles: []string{"admin"}}); err != nil {
		b.Fatal(err)
	}
	for _, fn := range []struct {
		name string
		f    func(context.Context, int) (memoBenchUser, error)
	}{{"cheap", cheapUser}, {"realistic", realisticUser}} {
		b.Run("function/"+fn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fn.f(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
		memo, err := Memoize1(c, "get_user_"+fn.name, fn.f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := memo(ctx, id); err != nil {
			b.Fatal(err)
		}
		b.Run("memoized/"+fn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := memo(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Many distinct arguments: the memoizer cannot remember every key, so most calls
	// compute theirs (a BLAKE2b-256 each); every call is still an L1 hit.
	many, err := Memoize1(c, "get_user_many", cheapUser)
	if err != nil {
		b.Fatal(err)
	}
	const distinct = 512 // more than the remembered keys, fewer than the L1 holds
	for id := range distinct {
		if _, err := many(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("memoized/cheap-512-args", func(b *testing.B) {
		b.ReportAllocs()
		id := 0
		for b.Loop() {
			if _, err := many(ctx, id); err != nil {
				b.Fatal(err)
			}
			id = (id + 1) % distinct
		}
	})
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, found, err := Get[memoBenchUser](ctx, c, "user:42"); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
}
