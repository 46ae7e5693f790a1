package flight

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newGroup returns a Group closed when the test ends (inside the bubble, for a test
// run by synctest.Test, since T.Cleanup functions run there).
func newGroup[T any](t *testing.T, opts Options) *Group[T] {
	t.Helper()
	g, err := New[T](opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// outcome is what one Do call returned.
type outcome[T any] struct {
	value  T
	shared bool
	err    error
}

// doAsync calls g.Do on a new goroutine and returns the channel its outcome arrives on.
func doAsync[T any](ctx context.Context, g *Group[T], key string, check CheckFunc[T], load LoadFunc[T]) <-chan outcome[T] {
	ch := make(chan outcome[T], 1)
	go func() {
		v, shared, err := g.Do(ctx, key, check, load)
		ch <- outcome[T]{v, shared, err}
	}()
	return ch
}

// ready returns the outcome already sent on ch, or false if the call is still blocked.
func ready[T any](ch <-chan outcome[T]) (outcome[T], bool) {
	select {
	case o := <-ch:
		return o, true
	default:
		return outcome[T]{}, false
	}
}
