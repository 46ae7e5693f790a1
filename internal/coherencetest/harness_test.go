package coherencetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// Bounds of the parent's waits on a reader.
const (
	// startBound covers starting the child binary (built with -race) and connecting.
	startBound = 30 * time.Second
	// replyBound covers one command; loops in the child are bounded by commandBound.
	replyBound = commandBound + 10*time.Second
)

// tb is the part of testing.TB the rounds use; *testing.T has it, and so has the
// recorder with which TestCoherenceCanFail watches rounds fail.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// readerProc is a running reader child and the pipes to it.
type readerProc struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string              // reply lines, prefix removed; closed at the end of stdout
	other  *testserver.OutputBuffer // stdout lines that are not replies (the testing package's own)
	stderr *testserver.OutputBuffer
}

// startReader starts a reader child with cfg, waits until it answers (so its
// invalidation subscription is in place: cachekit.New subscribes before returning), and
// registers a cleanup that tells it to quit and checks that it exited with status 0.
func startReader(t *testing.T, name string, cfg readerConfig) *readerProc {
	t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd := &readerProc{
		name:   name,
		lines:  make(chan string, 64),
		other:  &testserver.OutputBuffer{},
		stderr: &testserver.OutputBuffer{},
	}
	rd.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.timeout=5m")
	rd.cmd.Env = append(os.Environ(), envReader+"="+string(raw))
	rd.cmd.Stderr = rd.stderr
	if rd.stdin, err = rd.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := rd.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.cmd.Start(); err != nil {
		t.Fatalf("starting reader %s: %v", name, err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(rd.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), replyPrefix); ok {
				rd.lines <- line
			} else {
				fmt.Fprintln(rd.other, sc.Text())
			}
		}
	}()
	t.Cleanup(func() { rd.stop(t, readDone) })

	if _, err := io.WriteString(rd.stdin, "get never-written\n"); err != nil {
		t.Fatalf("reader %s: %v", name, err)
	}
	if rep := rd.next(t, startBound); rep.Result == nil || rep.Result.Value != missResult {
		t.Fatalf("reader %s: first Get of an unwritten key = %+v, want a miss", name, rep.Result)
	}
	return rd
}

// stop tells the child to quit, waits for it and checks its exit: status 0 means its
// own test passed, goleak included.
func (rd *readerProc) stop(t *testing.T, readDone <-chan struct{}) {
	t.Helper()
	if _, err := io.WriteString(rd.stdin, "quit\n"); err == nil {
		timer := time.NewTimer(replyBound)
		defer timer.Stop()
	wait:
		for {
			select {
			case line, ok := <-rd.lines:
				if !ok || strings.Contains(line, `"bye":true`) {
					break wait
				}
			case <-timer.C:
				t.Errorf("reader %s did not acknowledge quit", rd.name)
				break wait
			}
		}
	}
	_ = rd.stdin.Close()
	select {
	case <-readDone:
	case <-time.After(replyBound):
		t.Errorf("reader %s did not exit; killing it", rd.name)
		_ = rd.cmd.Process.Kill()
		<-readDone
	}
	if err := rd.cmd.Wait(); err != nil {
		t.Errorf("reader %s exited with %v\nstdout:\n%s\nstderr:\n%s", rd.name, err, rd.other, rd.stderr)
	}
}

// send writes one command line.
func (rd *readerProc) send(t tb, command string) {
	t.Helper()
	if _, err := io.WriteString(rd.stdin, command+"\n"); err != nil {
		t.Fatalf("reader %s: sending %q: %v", rd.name, command, err)
	}
}

// next waits for the next reply.
func (rd *readerProc) next(t tb, bound time.Duration) reply {
	t.Helper()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case line, ok := <-rd.lines:
		if !ok {
			t.Fatalf("reader %s exited\nstdout:\n%s\nstderr:\n%s", rd.name, rd.other, rd.stderr)
		}
		var rep reply
		if err := json.Unmarshal([]byte(line), &rep); err != nil {
			t.Fatalf("reader %s: bad reply %q: %v", rd.name, line, err)
		}
		return rep
	case <-timer.C:
		t.Fatalf("reader %s: no reply within %v\nstderr:\n%s", rd.name, bound, rd.stderr)
	}
	return reply{} // not reached: t.Fatalf ends the test's goroutine
}

// do sends a command and returns its reply, failing the test if the command failed.
func (rd *readerProc) do(t tb, command string) reply {
	t.Helper()
	rd.send(t, command)
	rep := rd.next(t, replyBound)
	if rep.Err != "" {
		t.Fatalf("reader %s: %s: %s", rd.name, command, rep.Err)
	}
	return rep
}

// get makes the reader Get key once.
func (rd *readerProc) get(t tb, key string) result {
	t.Helper()
	return *rd.do(t, "get "+key).Result
}

// settledGet makes the reader Get key until the Get does not fail (a server being
// restarted), for at most commandBound.
func (rd *readerProc) settledGet(t tb, key string) result {
	t.Helper()
	deadline := time.Now().Add(commandBound)
	for {
		res := rd.get(t, key)
		if res.Value != errorResult || time.Now().After(deadline) {
			return res
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// prime makes the reader cache key in its L1 and checks it read want.
func (rd *readerProc) prime(t tb, key, want string) {
	t.Helper()
	rep := rd.do(t, "prime "+key)
	if rep.Result.Value != want {
		t.Fatalf("reader %s: primed %s with %v, want %s", rd.name, key, *rep.Result, want)
	}
}

// writer is the other process's way of changing keys of namespace "app".
type writer interface {
	fmt.Stringer
	// set stores the string value under the user key.
	set(t tb, key, value string)
	// del deletes the user key.
	del(t tb, key string)
}

// goWriter writes through a cachekit client of the parent process.
type goWriter struct {
	c *cachekit.Client
}

// newGoWriter opens a client like the reader's (same invalidation mode) in the parent.
func newGoWriter(t *testing.T, addrs []string, mode string) *goWriter {
	t.Helper()
	b, c, err := openClient(addrs, mode, "")
	if err != nil {
		t.Fatalf("writer: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("closing the writer's client: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("closing the writer's backend: %v", err)
		}
	})
	return &goWriter{c: c}
}

func (w *goWriter) String() string { return "go" }

// set retries for a while: after a server restart the first calls fail until the
// connection is re-established. Retries are logged.
func (w *goWriter) set(t tb, key, value string) {
	t.Helper()
	w.retry(t, "Set "+key, func(ctx context.Context) error { return w.c.Set(ctx, key, value) })
}

func (w *goWriter) del(t tb, key string) {
	t.Helper()
	w.retry(t, "Delete "+key, func(ctx context.Context) error {
		_, err := w.c.Delete(ctx, key)
		return err
	})
}

func (w *goWriter) retry(t tb, what string, call func(context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(commandBound)
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := call(ctx)
		cancel()
		if err == nil {
			if attempt > 1 {
				t.Logf("writer: %s succeeded at attempt %d", what, attempt)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("writer: %s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cliWriter writes with redis-cli, a program that knows nothing of cachekit: values
// are MessagePack strings built by hand (msgpackStr), keys are "app:" + the user key.
type cliWriter struct {
	host, port string
}

func newCLIWriter(t *testing.T, addr string) *cliWriter {
	t.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Fatalf("redis-cli is needed (make test installs redis-tools): %v", err)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return &cliWriter{host: host, port: port}
}

func (w *cliWriter) String() string { return "redis-cli" }

// set runs redis-cli -x SET app:key, the value's bytes coming on stdin.
func (w *cliWriter) set(t tb, key, value string) {
	t.Helper()
	if out := w.run(t, msgpackStr(t, value), "-x", "SET", "app:"+key); out != "OK" {
		t.Fatalf("redis-cli SET app:%s answered %q", key, out)
	}
}

func (w *cliWriter) del(t tb, key string) {
	t.Helper()
	if out := w.run(t, nil, "DEL", "app:"+key); out != "1" {
		t.Fatalf("redis-cli DEL app:%s answered %q, want 1", key, out)
	}
}

func (w *cliWriter) flushAll(t tb) {
	t.Helper()
	if out := w.run(t, nil, "FLUSHALL"); out != "OK" {
		t.Fatalf("redis-cli FLUSHALL answered %q", out)
	}
}

// run runs redis-cli against the server and returns its trimmed output; it returns
// once the server answered, so the write is acknowledged.
func (w *cliWriter) run(t tb, stdin []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", w.host, "-p", w.port}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// msgpackStr encodes s as a MessagePack fixstr (format 0xa0 | length, then the bytes),
// the plain container cachekit-go reads. Test values are short words.
func msgpackStr(t tb, s string) []byte {
	t.Helper()
	if len(s) > 31 {
		t.Fatalf("msgpackStr: %q is too long for a fixstr", s)
	}
	return append([]byte{0xa0 | byte(len(s))}, s...)
}

// startRedis starts a standalone redis-server for one test.
func startRedis(t *testing.T) *testserver.Redis {
	t.Helper()
	return testserver.StartRedis(t, testserver.RedisOptions{})
}
