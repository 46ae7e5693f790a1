package cachekit

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/redis"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// Environment of the child processes of TestMemoizeAcrossProcesses.
const (
	envMemoChild = "CACHEKIT_TEST_MEMO_CHILD" // the redis address; set only in children
	envMemoGo    = "CACHEKIT_TEST_MEMO_GO"    // a file whose existence starts the calls
)

const (
	memoProcesses  = 4
	memoGoroutines = 100
)

func newRedisBackend(t testing.TB, addr string) *redis.Backend {
	t.Helper()
	b, err := redis.New(redis.Options{
		Addrs:        []string{addr},
		DialTimeout:  500 * time.Millisecond,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
	})
	if err != nil {
		t.Fatalf("redis.New: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// TestMemoizeAcrossProcesses runs 4 processes of 100 goroutines each, all calling the
// same cold memoized function on one Redis at once: the function runs exactly once in
// all. The test binary re-executes itself as the children; each reports its own
// count of runs on stdout.
func TestMemoizeAcrossProcesses(t *testing.T) {
	if os.Getenv(envMemoChild) != "" {
		t.Skip("this is a child process")
	}
	t.Parallel()
	r := testserver.StartRedis(t, testserver.RedisOptions{})
	goFile := filepath.Join(t.TempDir(), "go")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type child struct {
		cmd    *exec.Cmd
		lines  chan string
		stderr strings.Builder
	}
	children := make([]*child, memoProcesses)
	for i := range children {
		ch := &child{lines: make(chan string, 16)}
		ch.cmd = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMemoizeChildProcess$", "-test.count=1", "-test.timeout=50s")
		ch.cmd.Env = append(os.Environ(), envMemoChild+"="+r.Addr, envMemoGo+"="+goFile)
		ch.cmd.Stderr = &ch.stderr
		out, err := ch.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(ch.lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				ch.lines <- sc.Text()
			}
		}()
		children[i] = ch
	}
	// Wait until every child is connected and ready, then start them together.
	for i, ch := range children {
		if !waitLine(ch.lines, "memo-child ready") {
			_ = ch.cmd.Wait()
			t.Fatalf("child %d never got ready: %s", i, ch.stderr.String())
		}
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, ch := range children {
		var loads, bad int
		found := false
		for line := range ch.lines {
			if _, err := fmt.Sscanf(line, "memo-child loads=%d bad=%d", &loads, &bad); err == nil {
				found = true
			}
		}
		if err := ch.cmd.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, ch.stderr.String())
		}
		if !found {
			t.Fatalf("child %d reported no count", i)
		}
		if bad != 0 {
			t.Errorf("child %d: %d calls returned a wrong value or an error", i, bad)
		}
		t.Logf("child %d: %d loader runs", i, loads)
		total += loads
	}
	if total != 1 {
		t.Errorf("the function ran %d times across %d processes x %d goroutines, want 1", total, memoProcesses, memoGoroutines)
	}
}

func waitLine(lines <-chan string, want string) bool {
	for line := range lines {
		if line == want {
			return true
		}
	}
	return false
}

// TestMemoizeChildProcess is the body of one child of TestMemoizeAcrossProcesses.
func TestMemoizeChildProcess(t *testing.T) {
	addr := os.Getenv(envMemoChild)
	if addr == "" {
		return // only meaningful as a child of TestMemoizeAcrossProcesses
	}
	b := newRedisBackend(t, addr)
	o := ProductionOptions()
	o.Backend = b
	o.Namespace = "xproc"
	o.Env = noEnv
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var loads atomic.Int64
	get, err := Memoize1(c, "expensive", func(_ context.Context, n int) (int, error) {
		loads.Add(1)
		time.Sleep(200 * time.Millisecond) // a slow query, so that the processes overlap
		return n * 3, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("memo-child ready")
	for {
		if _, err := os.Stat(os.Getenv(envMemoGo)); err == nil {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range memoGoroutines {
		wg.Go(func() {
			v, err := get(context.Background(), 7)
			if err != nil || v != 21 {
				bad.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Printf("memo-child loads=%d bad=%d\n", loads.Load(), bad.Load())
}

// TestMemoizeChaos keeps memoized functions under load while redis-server is killed and
// restarted. Values are a function of the argument, so every answer is checked.
func TestMemoizeChaos(t *testing.T) {
	if os.Getenv(envMemoChild) != "" {
		t.Skip("this is a child process")
	}
	t.Parallel()
	r := testserver.StartRedis(t, testserver.RedisOptions{})
	b := newRedisBackend(t, r.Addr)

	var opened, closed, halfOpened atomic.Int64
	o := ProductionOptions()
	o.Backend = b
	o.Namespace = "chaos"
	o.MasterKey = Secret(testKeyA)
	o.Env = noEnv
	o.Logger = slog.New(slog.DiscardHandler)
	o.Reliability.Breaker.OpenDuration = 200 * time.Millisecond
	o.Reliability.OnStateChange = func(_, to reliability.State) {
		switch to {
		case reliability.StateOpen:
			opened.Add(1)
		case reliability.StateHalfOpen:
			halfOpened.Add(1)
		case reliability.StateClosed:
			closed.Add(1)
		}
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	value := func(n int) string { return fmt.Sprintf("v%d:%d", n, n*n+1) }
	var plainRuns, secureRuns atomic.Int64
	plain, err := Memoize1(c, "square", func(_ context.Context, n int) (string, error) {
		plainRuns.Add(1)
		return value(n), nil
	}, MemoTTL(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	secure, err := Memoize1(c, "square_secure", func(_ context.Context, n int) (string, error) {
		secureRuns.Add(1)
		return value(n), nil
	}, MemoTTL(time.Second), MemoSecure())
	if err != nil {
		t.Fatal(err)
	}

	var (
		calls, wrong, plainErrs          atomic.Int64
		callerDeadline                   atomic.Int64
		secureOK, secureTyped, untyped   atomic.Int64
		secureKinds                      sync.Map
		down                             atomic.Bool
		plainDuringOutage, secureErrDown atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := rng.IntN(50)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				v, err := plain(ctx, n)
				calls.Add(1)
				switch {
				case err != nil && ctx.Err() != nil:
					// The caller's own deadline passed (a starved machine): there is
					// nothing left to run the function for. Not an outage answer.
					callerDeadline.Add(1)
				case err != nil:
					plainErrs.Add(1)
					t.Logf("plain memoized call failed: %v", err)
				case v != value(n):
					wrong.Add(1)
				case down.Load():
					plainDuringOutage.Add(1)
				}
				v, err = secure(ctx, n)
				expired := ctx.Err() != nil
				cancel()
				switch {
				case err != nil && expired:
					callerDeadline.Add(1)
				case err == nil && v != value(n):
					wrong.Add(1)
				case err == nil:
					secureOK.Add(1)
				case isOutage(err):
					secureTyped.Add(1)
					k, _ := KindOf(err)
					n, _ := secureKinds.LoadOrStore(k, new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
					if down.Load() {
						secureErrDown.Add(1)
					}
				default:
					untyped.Add(1)
					t.Logf("secure memoized call failed with a non-outage error: %v", err)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}

	time.Sleep(500 * time.Millisecond)
	down.Store(true)
	r.Kill()
	time.Sleep(1500 * time.Millisecond)
	stateWhileDown := c.Stats().Reliability.State
	r.Restart()
	down.Store(false)
	// Run on until the breaker has closed again (bounded).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (c.Stats().Reliability.State != reliability.StateClosed || closed.Load() == 0) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	rs := c.Stats()
	kinds := map[Kind]int64{}
	secureKinds.Range(func(k, v any) bool { kinds[k.(Kind)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("calls %d (each plain + secure), %d ended by the caller's own deadline; plain: %d errors, %d answered while redis was down, %d runs; "+
		"secure: %d ok, %d typed outage errors (%d while down) %v, %d other errors, %d runs; wrong values %d",
		calls.Load(), callerDeadline.Load(), plainErrs.Load(), plainDuringOutage.Load(), plainRuns.Load(),
		secureOK.Load(), secureTyped.Load(), secureErrDown.Load(), kinds, untyped.Load(), secureRuns.Load(), wrong.Load())
	t.Logf("breaker: state while down %v, final %v; transitions to open %d, half-open %d, closed %d; reliability %+v",
		stateWhileDown, rs.Reliability.State, opened.Load(), halfOpened.Load(), closed.Load(), *rs.Reliability)
	t.Logf("memo stats %+v", rs.Memo)

	if wrong.Load() != 0 {
		t.Errorf("%d wrong values", wrong.Load())
	}
	if plainErrs.Load() != 0 {
		t.Errorf("the plain memoizer returned %d errors; it must fail open", plainErrs.Load())
	}
	if plainDuringOutage.Load() == 0 {
		t.Error("no plain call was answered while redis was down")
	}
	if secureErrDown.Load() == 0 {
		t.Error("the secure memoizer returned no typed error while redis was down")
	}
	if untyped.Load() != 0 {
		t.Errorf("the secure memoizer returned %d errors outside the outage kinds", untyped.Load())
	}
	if opened.Load() == 0 {
		t.Error("the breaker never opened while redis was down")
	}
	if rs.Reliability.State != reliability.StateClosed || closed.Load() == 0 {
		t.Errorf("the breaker did not close after the restart: %v, %d closings", rs.Reliability.State, closed.Load())
	}
	if rs.Memo.Uncached == 0 {
		t.Error("no uncached (fail-open) run counted")
	}
}
