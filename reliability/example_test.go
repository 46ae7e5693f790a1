package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/reliability"
)

func Example() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close() // the wrapper needs no Close of its own

	l2, err := reliability.New(store, reliability.Options{}) // every guard on, defaults
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if err := l2.Set(ctx, "app:greeting", []byte("hello"), time.Minute); err != nil {
		panic(err)
	}
	v, found, err := l2.Get(ctx, "app:greeting")
	fmt.Println(string(v), found, err)

	// The wrapper offers the capabilities of the memory backend, and only those.
	_, canInspect := l2.(backend.TTLInspector)
	_, canLock := l2.(backend.Locker)
	fmt.Println("TTLInspector:", canInspect, "Locker:", canLock)
	fmt.Println("state:", l2.Stats().State)
	// Output:
	// hello true <nil>
	// TTLInspector: true Locker: true
	// state: closed
}

// down is a backend that is unreachable.
type down struct{}

var errRefused = backend.NewError(backend.KindTransient, "down", "get", "", errors.New("connection refused"))

func (down) Get(context.Context, string) ([]byte, bool, error) { return nil, false, errRefused }
func (down) Set(context.Context, string, []byte, time.Duration) error {
	return errRefused
}
func (down) Delete(context.Context, string) (bool, error) { return false, errRefused }
func (down) Exists(context.Context, string) (bool, error) { return false, errRefused }
func (down) Health(context.Context) (backend.HealthStatus, error) {
	return backend.HealthStatus{Backend: "down"}, errRefused
}

func Example_circuitBreaker() {
	l2, err := reliability.New(down{}, reliability.Options{
		Retry: reliability.RetryOptions{Disabled: true}, // keep the example instant
		OnStateChange: func(from, to reliability.State) {
			fmt.Println("breaker:", from, "->", to)
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for range 5 {
		_, _, err = l2.Get(ctx, "app:user:1") // five failures within the minute
	}
	fmt.Println(errors.Is(err, reliability.ErrCircuitOpen))

	_, _, err = l2.Get(ctx, "app:user:1") // failed fast, the backend is not called
	fmt.Println(errors.Is(err, reliability.ErrCircuitOpen), errors.Is(err, backend.ErrTransient))

	s := l2.Stats()
	fmt.Printf("state=%v failures=%d rejected=%d\n", s.State, s.Failures, s.Rejected)
	// Output:
	// breaker: closed -> open
	// false
	// true true
	// state=open failures=5 rejected=1
}
