package cachekit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/memory"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
)

// memoClock is a clock the tests move by hand, shared by the L1 and the fake backend.
type memoClock struct{ now atomic.Int64 }

func newMemoClock() *memoClock {
	clk := &memoClock{}
	clk.now.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return clk
}

func (m *memoClock) NowNano() int64          { return m.now.Load() }
func (m *memoClock) Time() time.Time         { return time.Unix(0, m.now.Load()) }
func (m *memoClock) Advance(d time.Duration) { m.now.Add(int64(d)) }

// newMemoClient builds a client on a fake backend and a hand-moved clock. The
// namespace defaults to "app".
func newMemoClient(t testing.TB, o Options) (*Client, *fakeBackend, *memoClock) {
	t.Helper()
	clk := newMemoClock()
	fb := newFakeBackend()
	fb.now = clk.Time
	if o.Backend == nil {
		o.Backend = fb
	}
	if o.Namespace == "" {
		o.Namespace = "app"
	}
	if o.Env == nil {
		o.Env = noEnv
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := newWithClock(o, clk)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, fb, clk
}

// interopKey is the storage key cachekey computes independently of Memoize.
func interopKey(t testing.TB, ns, op string, args ...any) string {
	t.Helper()
	k, err := cachekey.Interop(ns, op, args...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustMemoize1[A, R any](t testing.TB, c *Client, op string, fn func(context.Context, A) (R, error), opts ...MemoOption) func(context.Context, A) (R, error) {
	t.Helper()
	f, err := Memoize1(c, op, fn, opts...)
	if err != nil {
		t.Fatalf("Memoize1(%q): %v", op, err)
	}
	return f
}

// double is the loader of most tests: its value is a function of its argument, so
// every answer can be checked.
func double(loads *atomic.Int64) func(context.Context, int) (int, error) {
	return func(_ context.Context, n int) (int, error) {
		loads.Add(1)
		return 2 * n, nil
	}
}

func TestMemoizeOneLoaderForAThousandGoroutines(t *testing.T) {
	t.Parallel()
	newMem := func(t *testing.T) backend.Backend {
		b, err := memory.New(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	tests := []struct {
		name    string
		backend func(t *testing.T) backend.Backend
		o       Options
	}{
		{"memory backend (with a Locker)", newMem, Options{}},
		{"fake backend (no Locker)", func(*testing.T) backend.Backend { return newFakeBackend() }, Options{}},
		{"no L1", newMem, Options{L1: L1Options{Disabled: true}}},
		{"production preset", newMem, ProductionOptions()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.o
			o.Backend = tt.backend(t)
			c, _, _ := newMemoClient(t, o)
			var loads atomic.Int64
			release := make(chan struct{})
			get := mustMemoize1(t, c, "slow_double", func(_ context.Context, n int) (int, error) {
				loads.Add(1)
				<-release
				return 2 * n, nil
			})
			const n = 1000
			var wg sync.WaitGroup
			var bad atomic.Int64
			start := make(chan struct{})
			for range n {
				wg.Go(func() {
					<-start
					v, err := get(context.Background(), 21)
					if err != nil || v != 42 {
						bad.Add(1)
					}
				})
			}
			close(start)
			// Let the loader finish only once it has run; late goroutines find the
			// cache, early ones join the flight: either way one run.
			for loads.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			close(release)
			wg.Wait()
			if got := loads.Load(); got != 1 {
				t.Errorf("loader ran %d times, want 1", got)
			}
			if bad.Load() != 0 {
				t.Errorf("%d calls returned a wrong value or an error", bad.Load())
			}
			if s := c.Stats().Memo; s.LoaderRuns != 1 || s.Hits+s.Misses != n {
				t.Errorf("Stats().Memo = %+v", s)
			}
		})
	}
}

func TestMemoizeStoresUnderTheInteropKey(t *testing.T) {
	t.Parallel()
	c, fb, _ := newMemoClient(t, Options{Namespace: "users"})
	var loads atomic.Int64
	get := mustMemoize1(t, c, "get_user", double(&loads))
	if v, err := get(context.Background(), 42); err != nil || v != 84 {
		t.Fatalf("get(42) = %v, %v", v, err)
	}
	// The published vector single_int: users:get_user with 42.
	const want = "users:get_user:61598716255080080f6456eb065c2e51badfaa4320b0efe97469c29cffee8875"
	stored, ok := fb.raw(want)
	if !ok {
		t.Fatalf("nothing stored under %q; keys: %v", want, fb.keys())
	}
	if !bytes.Equal(stored, []byte{0x54}) { // MessagePack positive fixint 84: the interop value
		t.Errorf("stored % x, want 54", stored)
	}
	if len(fb.keys()) != 1 {
		t.Errorf("backend keys %v, want only %q", fb.keys(), want)
	}
	// A second call is a hit.
	if v, err := get(context.Background(), 42); err != nil || v != 84 || loads.Load() != 1 {
		t.Fatalf("second call = %v, %v after %d loads", v, err, loads.Load())
	}
}

// keys lists the stored keys, for failure messages.
func (f *fakeBackend) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.entries {
		out = append(out, k)
	}
	return out
}

func TestMemoizeArities(t *testing.T) {
	t.Parallel()
	c, fb, _ := newMemoClient(t, Options{})
	ctx := context.Background()
	f0, err := Memoize(c, "zero", func(context.Context) (string, error) { return "z", nil })
	if err != nil {
		t.Fatal(err)
	}
	f2, err := Memoize2(c, "two", func(_ context.Context, a int, b string) (string, error) { return fmt.Sprint(a, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	f3, err := Memoize3(c, "three", func(_ context.Context, a, b, cc int) (int, error) { return a + b + cc, nil })
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f0(ctx); err != nil || v != "z" {
		t.Errorf("f0 = %v, %v", v, err)
	}
	if v, err := f2(ctx, 1, "x"); err != nil || v != "1x" {
		t.Errorf("f2 = %v, %v", v, err)
	}
	if v, err := f3(ctx, 1, 2, 3); err != nil || v != 6 {
		t.Errorf("f3 = %v, %v", v, err)
	}
	for _, want := range []string{
		interopKey(t, "app", "zero"),
		interopKey(t, "app", "two", 1, "x"),
		interopKey(t, "app", "three", 1, 2, 3),
	} {
		if _, ok := fb.raw(want); !ok {
			t.Errorf("nothing under %q; keys %v", want, fb.keys())
		}
	}
}

func TestMemoizeValidation(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, int) (int, error) { return 0, nil }
	tests := []struct {
		name   string
		ns     string
		op     string
		fn     func(context.Context, int) (int, error)
		opts   []MemoOption
		master string
		is     error // besides ErrConfig
	}{
		{"no namespace", "-", "op", fn, nil, "", ErrNoNamespace},
		{"upper-case namespace", "MyApp", "op", fn, nil, "", cachekey.ErrInvalidSegment},
		{"namespace with a colon", "a:b", "op", fn, nil, "", cachekey.ErrInvalidSegment},
		{"reserved namespace", "ns", "op", fn, nil, "", cachekey.ErrReservedNamespace},
		{"empty operation", "app", "", fn, nil, "", cachekey.ErrInvalidSegment},
		{"operation with a space", "app", "get user", fn, nil, "", cachekey.ErrInvalidSegment},
		{"operation with dot-dot", "app", "a..b", fn, nil, "", cachekey.ErrInvalidSegment},
		{"bad operation with a key function", "MyApp", "Get", fn, []MemoOption{MemoKeyFunc(func(...any) (string, error) { return "k", nil })}, "", cachekey.ErrInvalidSegment},
		{"nil function", "app", "op", nil, nil, "", nil},
		{"zero ttl", "app", "op", fn, []MemoOption{MemoTTL(0)}, "", ErrInvalidTTL},
		{"swr ratio above 1", "app", "op", fn, []MemoOption{MemoSWR(1.5)}, "", nil},
		{"swr ratio zero", "app", "op", fn, []MemoOption{MemoSWR(0)}, "", nil},
		{"negative ttl of cached errors", "app", "op", fn, []MemoOption{MemoCacheError(-time.Second, errInjected)}, "", ErrInvalidTTL},
		{"nil error target", "app", "op", fn, []MemoOption{MemoCacheError(time.Second, nil)}, "", nil},
		{"nil key function", "app", "op", fn, []MemoOption{MemoKeyFunc(nil)}, "", nil},
		{"zero load timeout", "app", "op", fn, []MemoOption{MemoLoadTimeout(0)}, "", nil},
		{"secure without a master key", "app", "op", fn, []MemoOption{MemoSecure()}, "", ErrNoMasterKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := Options{Namespace: tt.ns, MasterKey: Secret(tt.master)}
			if tt.ns == "-" {
				o.Namespace = ""
			}
			c := newClient(t, o)
			f, err := Memoize1(c, tt.op, tt.fn, tt.opts...)
			if f != nil {
				t.Error("a function was returned with the error")
			}
			wantKind(t, err, KindConfig)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to match %v", err, tt.is)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		for _, o := range []Options{
			{Namespace: "app"},
			{Namespace: "9-lives_9-lives_9-lives_9-lives_9-lives_9-lives_9-lives_9-lives_"},
			{Namespace: "Not Interop", Env: noEnv}, // with a key function below
		} {
			c := newClient(t, o)
			var opts []MemoOption
			if o.Namespace == "Not Interop" {
				opts = append(opts, MemoKeyFunc(func(args ...any) (string, error) { return fmt.Sprint(args...), nil }))
			}
			if _, err := Memoize1(c, "op", fn, opts...); err != nil {
				t.Errorf("namespace %q: %v", o.Namespace, err)
			}
		}
		c := newClient(t, Options{Namespace: "app", MasterKey: Secret(testKeyA)})
		if _, err := Memoize1(c, "op", fn, MemoSecure(), MemoTTL(time.Minute), MemoSWR(1), MemoLoadTimeout(time.Second)); err != nil {
			t.Errorf("secure with a master key: %v", err)
		}
	})
	t.Run("closed client", func(t *testing.T) {
		t.Parallel()
		c := newClient(t, Options{Namespace: "app"})
		get, err := Memoize1(c, "op", fn)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
		_, err = get(context.Background(), 1)
		wantKind(t, err, KindConfig)
		if !errors.Is(err, ErrClosed) {
			t.Errorf("call after Close: %v, want ErrClosed", err)
		}
		if _, err := Memoize1(c, "op", fn); !errors.Is(err, ErrClosed) {
			t.Errorf("Memoize after Close: %v, want ErrClosed", err)
		}
	})
}

func TestMemoizeArgumentOutsideTheDataModel(t *testing.T) {
	t.Parallel()
	c, fb, _ := newMemoClient(t, Options{})
	var loads atomic.Int64
	get := mustMemoize1(t, c, "op", func(_ context.Context, v any) (int, error) { loads.Add(1); return 1, nil })
	for _, arg := range []any{struct{ A int }{1}, map[int]string{1: "a"}, make(chan int)} {
		_, err := get(context.Background(), arg)
		wantKind(t, err, KindInvalidKey)
		if !errors.Is(err, cachekey.ErrUnsupportedType) {
			t.Errorf("%T: %v, want cachekey.ErrUnsupportedType", arg, err)
		}
	}
	if loads.Load() != 0 || len(fb.keys()) != 0 {
		t.Errorf("the function ran %d times, keys %v: want neither", loads.Load(), fb.keys())
	}
}

func TestMemoizeFunctionErrors(t *testing.T) {
	t.Parallel()
	errNotFound := errors.New("user not found")
	errBusy := errors.New("database busy")
	ctx := context.Background()

	t.Run("returned as is and not cached", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{})
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", func(context.Context, int) (int, error) { loads.Add(1); return 0, errNotFound })
		for range 2 {
			if _, err := get(ctx, 1); err != errNotFound {
				t.Fatalf("err = %v, want the function's own error", err)
			}
		}
		if loads.Load() != 2 || len(fb.keys()) != 0 {
			t.Errorf("loads = %d, keys %v: want 2 and none", loads.Load(), fb.keys())
		}
	})

	t.Run("negative caching by target", func(t *testing.T) {
		t.Parallel()
		c, fb, clk := newMemoClient(t, Options{})
		var loads atomic.Int64
		get := mustMemoize1(t, c, "get_user", func(_ context.Context, id int) (string, error) {
			loads.Add(1)
			switch id {
			case 7:
				return "", fmt.Errorf("id %d: %w", id, errNotFound)
			case 8:
				return "", errBusy
			}
			return "user", nil
		}, MemoCacheError(10*time.Second, errNotFound), MemoTTL(time.Hour))

		if _, err := get(ctx, 7); !errors.Is(err, errNotFound) || errors.Is(err, ErrCachedFailure) {
			t.Fatalf("first call: %v, want the function's error", err)
		}
		// The marker, built here from the MessagePack spec: ext8 (c7), length 20,
		// type 0x4e, payload.
		want := append([]byte{0xc7, 20, 0x4e}, "cachekit.negative/v1"...)
		if got, _ := fb.raw(interopKey(t, "app", "get_user", 7)); !bytes.Equal(got, want) {
			t.Errorf("stored % x, want % x", got, want)
		}
		if e, _ := fb.entry(interopKey(t, "app", "get_user", 7)); e.ttl != 10*time.Second {
			t.Errorf("cached failure ttl %v, want 10s", e.ttl)
		}
		for range 3 {
			_, err := get(ctx, 7)
			if !errors.Is(err, ErrCachedFailure) || !errors.Is(err, errNotFound) {
				t.Fatalf("cached call: %v, want ErrCachedFailure and the target", err)
			}
		}
		if loads.Load() != 1 {
			t.Errorf("loads = %d, want 1", loads.Load())
		}
		// Through the backend too (a process with a cold L1).
		c.l1.InvalidateAll()
		if _, err := get(ctx, 7); !errors.Is(err, ErrCachedFailure) || loads.Load() != 1 {
			t.Errorf("cold L1: %v after %d loads", err, loads.Load())
		}
		// Errors not matching the target are not cached.
		for range 2 {
			if _, err := get(ctx, 8); err != errBusy {
				t.Fatalf("err = %v, want errBusy", err)
			}
		}
		if loads.Load() != 3 {
			t.Errorf("loads = %d, want 3", loads.Load())
		}
		if s := c.Stats().Memo; s.NegativeHits != 4 {
			t.Errorf("NegativeHits = %d, want 4", s.NegativeHits)
		}
		// The cached failure expires with its own TTL.
		clk.Advance(11 * time.Second)
		if _, err := get(ctx, 7); errors.Is(err, ErrCachedFailure) || !errors.Is(err, errNotFound) || loads.Load() != 4 {
			t.Errorf("after expiry: %v after %d loads, want a fresh run", err, loads.Load())
		}
	})

	t.Run("negative caching by predicate, encrypted", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{MasterKey: Secret(testKeyA)})
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", func(context.Context, int) (int, error) { loads.Add(1); return 0, errNotFound },
			MemoCacheErrorFunc(time.Minute, func(err error) bool { return strings.Contains(err.Error(), "not found") }),
			MemoSecure())
		if _, err := get(ctx, 1); err != errNotFound {
			t.Fatalf("first call: %v", err)
		}
		_, err := get(ctx, 1)
		if !errors.Is(err, ErrCachedFailure) || errors.Is(err, errNotFound) || loads.Load() != 1 {
			t.Errorf("second call: %v after %d loads, want ErrCachedFailure only", err, loads.Load())
		}
		if stored, _ := fb.raw(interopKey(t, "app", "op", 1)); bytes.Contains(stored, []byte("negative")) {
			t.Error("an encrypting memoizer stored the marker in plaintext")
		}
	})

	t.Run("a marker met by a memoizer without negative caching", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{})
		fb.put(interopKey(t, "app", "op", 1), append([]byte{0xc7, 20, 0x4e}, "cachekit.negative/v1"...))
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", double(&loads))
		for range 2 { // backend, then L1
			if v, err := get(ctx, 1); !errors.Is(err, ErrCachedFailure) || v != 0 {
				t.Fatalf("get = %v, %v; want ErrCachedFailure", v, err)
			}
		}
		if loads.Load() != 0 {
			t.Errorf("loads = %d", loads.Load())
		}
	})

	t.Run("a real result never reads as the marker", func(t *testing.T) {
		t.Parallel()
		c, _, _ := newMemoClient(t, Options{})
		var loads atomic.Int64
		// A result of another extension type, and one holding the marker's payload.
		get := mustMemoize1(t, c, "op", func(_ context.Context, n int) (any, error) {
			loads.Add(1)
			if n == 0 {
				return codec.Ext{Type: 1, Data: []byte("cachekit.negative/v1")}, nil
			}
			return "cachekit.negative/v1", nil
		}, MemoCacheError(time.Minute, errNotFound))
		for _, n := range []int{0, 1, 0, 1} {
			if _, err := get(ctx, n); err != nil {
				t.Fatalf("get(%d): %v", n, err)
			}
		}
		if loads.Load() != 2 || c.Stats().Memo.NegativeHits != 0 {
			t.Errorf("loads %d, negative hits %d: want 2 and 0", loads.Load(), c.Stats().Memo.NegativeHits)
		}
	})
}

func TestMemoizeKeyFunc(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb, _ := newMemoClient(t, Options{})
	var loads atomic.Int64
	keyErr := errors.New("no key for negative ids")
	get := mustMemoize1(t, c, "get_user", double(&loads), MemoKeyFunc(func(args ...any) (string, error) {
		id := args[0].(int)
		switch {
		case id < 0:
			return "", keyErr
		case id == 0:
			return "user\n0", nil // a control byte
		}
		return fmt.Sprintf("user/%d", id), nil
	}))
	if v, err := get(ctx, 5); err != nil || v != 10 {
		t.Fatalf("get(5) = %v, %v", v, err)
	}
	if _, ok := fb.raw("app:user/5"); !ok {
		t.Errorf("nothing under app:user/5; keys %v", fb.keys())
	}
	// The custom key is an ordinary client key: Get reads it.
	if v, found, err := Get[int](ctx, c, "user/5"); err != nil || !found || v != 10 {
		t.Errorf("Get(user/5) = %v, %v, %v", v, found, err)
	}
	_, err := get(ctx, -1)
	wantKind(t, err, KindInvalidKey)
	if !errors.Is(err, keyErr) {
		t.Errorf("err = %v, want the key function's error wrapped", err)
	}
	_, err = get(ctx, 0)
	wantKind(t, err, KindInvalidKey)
	if loads.Load() != 1 {
		t.Errorf("loads = %d, want 1", loads.Load())
	}
}

func TestMemoizeWriteErrorsAreReportedNotReturned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type hookCall struct {
		key string
		err error
	}
	newObserved := func(t *testing.T) (*Client, *fakeBackend, *bytes.Buffer, *[]hookCall, *sync.Mutex, MemoOption) {
		var logs bytes.Buffer
		var mu sync.Mutex
		var calls []hookCall
		logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil))
		c, fb, _ := newMemoClient(t, Options{Logger: logger})
		hook := MemoOnWriteError(func(key string, err error) {
			mu.Lock()
			calls = append(calls, hookCall{key, err})
			mu.Unlock()
		})
		return c, fb, &logs, &calls, &mu, hook
	}

	t.Run("backend refuses the write", func(t *testing.T) {
		t.Parallel()
		c, fb, logs, calls, mu, hook := newObserved(t)
		fb.fail(nil, transientFailure("set"), nil)
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", double(&loads), hook)
		if v, err := get(ctx, 4); err != nil || v != 8 {
			t.Fatalf("get = %v, %v; a write failure must not fail the call", v, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(*calls) != 1 || (*calls)[0].key != interopKey(t, "app", "op", 4) {
			t.Fatalf("hook calls %+v", *calls)
		}
		wantKind(t, (*calls)[0].err, KindBackendTransient)
		if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "could not write") {
			t.Errorf("no warning logged: %s", logs)
		}
		if s := c.Stats().Memo; s.WriteErrors != 1 {
			t.Errorf("WriteErrors = %d, want 1", s.WriteErrors)
		}
	})

	t.Run("result does not encode", func(t *testing.T) {
		t.Parallel()
		c, fb, _, calls, mu, hook := newObserved(t)
		get := mustMemoize1(t, c, "op", func(context.Context, int) (chan int, error) { return nil, nil }, hook)
		if _, err := get(ctx, 1); err != nil {
			t.Fatalf("get: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(*calls) != 1 {
			t.Fatalf("hook calls %+v", *calls)
		}
		wantKind(t, (*calls)[0].err, KindSerialization)
		if len(fb.keys()) != 0 {
			t.Errorf("keys %v", fb.keys())
		}
	})

	t.Run("payload too large", func(t *testing.T) {
		t.Parallel()
		c, _, _, calls, mu, hook := newObserved(t)
		c.maxPayload = 16
		get := mustMemoize1(t, c, "op", func(context.Context, int) (string, error) { return strings.Repeat("x", 100), nil }, hook)
		if v, err := get(ctx, 1); err != nil || len(v) != 100 {
			t.Fatalf("get = %d bytes, %v", len(v), err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(*calls) != 1 {
			t.Fatalf("hook calls %+v", *calls)
		}
		wantKind(t, (*calls)[0].err, KindPayloadTooLarge)
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestMemoizeReadFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	permanent := backend.NewError(backend.KindPermanent, "fake", "get", "", errInjected)
	timeout := backend.NewError(backend.KindTimeout, "fake", "get", "", errInjected)
	tests := []struct {
		name     string
		getErr   error
		secure   bool
		wantRun  bool // fail open
		wantKind Kind
	}{
		{"transient, plain: fail open", transientFailure("get"), false, true, 0},
		{"timeout, plain: fail open", timeout, false, true, 0},
		{"transient, secure: fail closed", transientFailure("get"), true, false, KindBackendTransient},
		{"timeout, secure: fail closed", timeout, true, false, KindBackendTimeout},
		{"permanent, plain: returned", permanent, false, false, KindBackendPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, fb, _ := newMemoClient(t, Options{MasterKey: Secret(testKeyA)})
			fb.fail(tt.getErr, nil, nil)
			var loads atomic.Int64
			var opts []MemoOption
			if tt.secure {
				opts = append(opts, MemoSecure())
			}
			get := mustMemoize1(t, c, "op", double(&loads), opts...)
			v, err := get(ctx, 3)
			if tt.wantRun {
				if err != nil || v != 6 || loads.Load() != 1 || c.Stats().Memo.Uncached != 1 {
					t.Fatalf("get = %v, %v after %d loads (Uncached %d), want 6 from an uncached run",
						v, err, loads.Load(), c.Stats().Memo.Uncached)
				}
				return
			}
			wantKind(t, err, tt.wantKind)
			if loads.Load() != 0 {
				t.Errorf("the function ran %d times", loads.Load())
			}
		})
	}

	t.Run("cancelled caller is not run uncached", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{})
		fb.fail(context.Canceled, nil, nil)
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", double(&loads))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := get(cctx, 1); err == nil || loads.Load() != 0 {
			t.Errorf("err = %v after %d loads, want an error and no run", err, loads.Load())
		}
	})

	t.Run("plain memoizer of a secure client fails closed", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{MasterKey: Secret(testKeyA), Encrypt: true})
		fb.fail(transientFailure("get"), nil, nil)
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", double(&loads))
		_, err := get(ctx, 1)
		wantKind(t, err, KindBackendTransient)
	})

	t.Run("undecodable entry is an error, not a miss", func(t *testing.T) {
		t.Parallel()
		c, fb, _ := newMemoClient(t, Options{})
		fb.put(interopKey(t, "app", "op", 1), []byte{0xa1, 'x'}) // a string, not an int
		var loads atomic.Int64
		get := mustMemoize1(t, c, "op", double(&loads))
		_, err := get(ctx, 1)
		wantKind(t, err, KindSerialization)
		if loads.Load() != 0 {
			t.Error("the function ran")
		}
	})
}

func TestMemoizeSecureStoresCiphertext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb, _ := newMemoClient(t, Options{MasterKey: Secret(testKeyA)})
	var loads atomic.Int64
	get := mustMemoize1(t, c, "op", func(_ context.Context, n int) (string, error) {
		loads.Add(1)
		return fmt.Sprint("secret-", n), nil
	}, MemoSecure())
	if v, err := get(ctx, 1); err != nil || v != "secret-1" {
		t.Fatalf("get = %v, %v", v, err)
	}
	key := interopKey(t, "app", "op", 1)
	stored, _ := fb.raw(key)
	if bytes.Contains(stored, []byte("secret-1")) {
		t.Fatal("plaintext in the backend")
	}
	e, _ := c.l1.Get(strings.TrimPrefix(key, "app:"))
	if e == nil || bytes.Contains(e.Value, []byte("secret-1")) {
		t.Fatal("plaintext (or nothing) in the L1")
	}
	// The SecureClient reads the same entry under the same key.
	sec := newSecure(t, c)
	if v, found, err := Get[string](ctx, sec, strings.TrimPrefix(key, "app:")); err != nil || !found || v != "secret-1" {
		t.Errorf("SecureClient.Get = %v, %v, %v", v, found, err)
	}
	if v, err := get(ctx, 1); err != nil || v != "secret-1" || loads.Load() != 1 {
		t.Errorf("second call = %v, %v after %d loads", v, err, loads.Load())
	}
}

func TestMemoizeCallerCancellation(t *testing.T) {
	t.Parallel()
	c, _, _ := newMemoClient(t, Options{})
	release := make(chan struct{})
	var loads atomic.Int64
	get := mustMemoize1(t, c, "op", func(ctx context.Context, n int) (int, error) {
		loads.Add(1)
		<-release
		return n, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := get(ctx, 1)
		done <- err
	}()
	for loads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", err)
	}
	// The run goes on for the cache, on a context the caller's cancellation did not end.
	close(release)
	for {
		if v, err := get(context.Background(), 1); err == nil && v == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if loads.Load() != 1 {
		t.Errorf("loads = %d, want 1: the abandoned run should have stored the value", loads.Load())
	}
}

func TestMemoizeLoadTimeout(t *testing.T) {
	t.Parallel()
	c, _, _ := newMemoClient(t, Options{})
	get := mustMemoize1(t, c, "op", func(ctx context.Context, n int) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}, MemoLoadTimeout(20*time.Millisecond))
	if _, err := get(context.Background(), 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the load's deadline", err)
	}
}
