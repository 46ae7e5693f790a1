package coherencetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/redis"
)

// TestHelperProcess is the reader child: it runs only when the parent set envReader,
// and serves the line protocol of protocol_test.go on stdin and stdout until "quit" or
// the end of stdin.
func TestHelperProcess(t *testing.T) {
	raw := os.Getenv(envReader)
	if raw == "" {
		return // only meaningful as the reader child that the coherence tests start
	}
	var cfg readerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("reader: bad %s: %v", envReader, err)
	}
	b, c, err := openClient(cfg.Addrs, cfg.Mode, cfg.Fault)
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	r := &reader{c: c}
	out := bufio.NewWriter(os.Stdout)
	send := func(rep reply) {
		line, _ := json.Marshal(rep) // plain structs always marshal
		out.WriteString(replyPrefix)
		out.Write(line)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			t.Errorf("reader: writing a reply: %v", err)
		}
	}
	in := bufio.NewScanner(os.Stdin)
	quit := false
	for !quit && in.Scan() {
		quit = r.serve(strings.Fields(in.Text()), send)
	}
	closeErr := errors.Join(c.Close(), b.Close())
	if closeErr != nil {
		t.Errorf("reader: closing: %v", closeErr)
	}
	if quit {
		send(reply{Bye: true})
	}
}

// openClient connects a backend in the given invalidation mode and a client with its
// L1 on over it, in namespace "app", with the named fault injected ("" for none). The
// caller closes both.
func openClient(addrs []string, mode, fault string) (*redis.Backend, *cachekit.Client, error) {
	opts := redis.Options{
		Addrs:        addrs,
		DialTimeout:  time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
	}
	switch mode {
	case "tracking":
		opts.Invalidation = redis.InvalidationTracking
	case "pubsub":
		opts.Invalidation = redis.InvalidationPubSub
		opts.PublishInvalidations = true
	default:
		return nil, nil, fmt.Errorf("unknown invalidation mode %q", mode)
	}
	b, err := redis.New(opts)
	if err != nil {
		return nil, nil, err
	}
	faulty, err := withFault(b, fault)
	if err != nil {
		_ = b.Close()
		return nil, nil, err
	}
	c, err := cachekit.New(cachekit.Options{
		Backend:   faulty,
		Namespace: "app",
		// No environment fallbacks: a CACHEKIT_MASTER_KEY on the machine changes nothing.
		Env: func(string) (string, bool) { return "", false },
	})
	if err != nil {
		_ = b.Close()
		return nil, nil, err
	}
	return b, c, nil
}

// reader is the child's state: one client, used by one command at a time, so that the
// Stats difference around a Get belongs to that Get alone.
type reader struct {
	c *cachekit.Client
}

// serve runs one command and reports whether it was "quit".
func (r *reader) serve(args []string, send func(reply)) bool {
	bad := func() { send(reply{Err: fmt.Sprintf("bad command %q", strings.Join(args, " "))}) }
	if len(args) == 0 {
		bad()
		return false
	}
	switch {
	case args[0] == "quit" && len(args) == 1:
		return true
	case args[0] == "get" && len(args) == 2:
		res := r.get(args[1])
		send(reply{Result: &res, Gets: 1})
	case args[0] == "set" && len(args) == 3:
		send(reply{Err: errText(withTimeout(func(ctx context.Context) error {
			return r.c.Set(ctx, args[1], args[2])
		}))})
	case args[0] == "del" && len(args) == 2:
		send(reply{Err: errText(withTimeout(func(ctx context.Context) error {
			_, err := r.c.Delete(ctx, args[1])
			return err
		}))})
	case args[0] == "prime" && len(args) == 2:
		send(r.prime(args[1]))
	case args[0] == "poll" && len(args) == 4:
		ms, err := strconv.Atoi(args[3])
		if err != nil || ms <= 0 {
			bad()
			return false
		}
		send(r.poll(args[1], args[2], time.Duration(ms)*time.Millisecond, func() { send(reply{Started: true}) }))
	case args[0] == "await-evict" && len(args) == 2:
		send(r.awaitEvict(args[1]))
	case args[0] == "stats" && len(args) == 1:
		send(reply{Invalidations: r.c.Stats().InvalidationsReceived})
	case args[0] == "await-inv" && len(args) == 2:
		n, err := strconv.ParseUint(args[1], 10, 64)
		if err != nil {
			bad()
			return false
		}
		send(r.awaitInvalidations(n))
	default:
		bad()
	}
	return false
}

// withTimeout runs one client call with a bounded context.
func withTimeout(call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return call(ctx)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// get makes one Get and tells where its answer came from.
func (r *reader) get(key string) result {
	before := r.c.Stats()
	var v string
	var found bool
	err := withTimeout(func(ctx context.Context) (err error) {
		v, found, err = cachekit.Get[string](ctx, r.c, key)
		return err
	})
	after := r.c.Stats()
	var res result
	switch {
	case after.L1Hits > before.L1Hits:
		res.Source = "l1"
	case after.L2Hits > before.L2Hits || after.Misses > before.Misses:
		res.Source = "l2"
	}
	switch {
	case err != nil:
		res.Value, res.Err = errorResult, err.Error()
	case !found:
		res.Value = missResult
	default:
		res.Value = v
	}
	return res
}

// prime calls Get until one is answered by the L1. A foreign write made just before
// may still have its invalidation in flight, evicting the first backfill; hence a loop.
func (r *reader) prime(key string) reply {
	deadline := time.Now().Add(commandBound)
	for n := 1; ; n++ {
		res := r.get(key)
		if res.Source == "l1" {
			return reply{Result: &res, Gets: n}
		}
		if time.Now().After(deadline) {
			return reply{Err: fmt.Sprintf("prime %s: no L1 hit after %d Gets, last %v", key, n, res), Gets: n}
		}
		pause(res)
	}
}

// poll calls Get until it returns want, then pollTail more times, for at most bound, and
// reports the run-length encoded results and when they changed. It calls started after
// the first Get, so that the writer starts after the reader has read the cached value
// once, and the time from the write to the first fresh read can be measured.
func (r *reader) poll(key, want string, bound time.Duration, started func()) reply {
	var rep reply
	deadline := time.Now().Add(bound)
	tail := -1 // Gets left after want was read; -1 before
	for tail != 0 {
		res := r.get(key)
		now := time.Now()
		if n := len(rep.Runs); n > 0 && rep.Runs[n-1].Value == res.Value && rep.Runs[n-1].Source == res.Source {
			rep.Runs[n-1].N++
		} else {
			rep.Runs = append(rep.Runs, run{Value: res.Value, Source: res.Source, N: 1})
		}
		rep.Gets++
		if rep.Gets == 1 {
			started()
		}
		if rep.FirstChange == 0 && res.Value != rep.Runs[0].Value {
			rep.FirstChange = now.UnixNano()
		}
		if tail < 0 && res.Value == want {
			rep.FirstWant = now.UnixNano()
			tail = pollTail
		}
		if tail > 0 {
			tail--
		}
		if tail < 0 && now.After(deadline) {
			rep.TimedOut = true
			break
		}
		pause(res)
	}
	return rep
}

// awaitEvict calls Get until an answer does not come from the L1, or is an L1 hit with
// another value than the first (which the parent reports as a failure). reply.Before is
// the first answer, reply.After that last one.
func (r *reader) awaitEvict(key string) reply {
	first := r.get(key)
	rep := reply{Before: &first, Gets: 1}
	if first.Source != "l1" {
		rep.After = &first
		return rep
	}
	deadline := time.Now().Add(commandBound)
	for {
		res := r.get(key)
		rep.Gets++
		if res.Source != "l1" || res.Value != first.Value {
			rep.After = &res
			return rep
		}
		if time.Now().After(deadline) {
			rep.Err = fmt.Sprintf("await-evict %s: still an L1 hit after %d Gets", key, rep.Gets)
			return rep
		}
		pause(res)
	}
}

// awaitInvalidations waits until the client has applied at least n invalidations.
func (r *reader) awaitInvalidations(n uint64) reply {
	deadline := time.Now().Add(commandBound)
	for {
		got := r.c.Stats().InvalidationsReceived
		if got >= n {
			return reply{Invalidations: got}
		}
		if time.Now().After(deadline) {
			return reply{Err: fmt.Sprintf("await-inv %d: only %d invalidations applied", n, got), Invalidations: got}
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// pause is the gap between two polling Gets: none after an L1 hit (yielding only, so
// the moment an invalidation lands is seen at once), a millisecond after a backend
// answer or an error, so that a server being restarted is not hammered.
func pause(res result) {
	if res.Source == "l1" {
		runtime.Gosched()
		return
	}
	time.Sleep(time.Millisecond)
}
