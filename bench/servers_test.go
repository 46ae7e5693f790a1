//go:build unix

package bench

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment variables naming servers to use instead of starting them.
const (
	envRedisAddr     = "CACHEKIT_BENCH_REDIS_ADDR"
	envMemcachedAddr = "CACHEKIT_BENCH_MEMCACHED_ADDR"
)

// server is one program started for the benchmarks, or one named by the environment.
type server struct {
	addr string
	cmd  *exec.Cmd // nil when the server was not started here
	dir  string
	// cmdDone is closed once the process has exited and been reaped.
	cmdDone chan struct{}
}

// serverSpec says how to start one kind of server and how to tell it is ready.
type serverSpec struct {
	name    string
	program string
	args    func(port int, dir string) []string
	ready   func(addr string) error
}

// lazyServer starts its server on first use and keeps it for the rest of the run, so a
// run of only the in-process benchmarks starts nothing.
type lazyServer struct {
	spec serverSpec
	env  string
	once sync.Once
	srv  *server
	err  error
}

var (
	redisServer = &lazyServer{env: envRedisAddr, spec: serverSpec{
		name:    "redis-server",
		program: "redis-server",
		args: func(port int, dir string) []string {
			return []string{
				"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--dir", dir, "--save", "", "--appendonly", "no",
			}
		},
		ready: redisReady,
	}}
	memcachedServer = &lazyServer{env: envMemcachedAddr, spec: serverSpec{
		name:    "memcached",
		program: "memcached",
		args: func(port int, _ string) []string {
			args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "256"}
			if os.Geteuid() == 0 {
				args = append(args, "-u", "root") // memcached refuses to run as root otherwise
			}
			return args
		},
		ready: memcachedReady,
	}}
)

// addr returns the server's address, starting it on first use; it fails the benchmark
// when the server cannot be had.
func (l *lazyServer) addr(tb testing.TB) string {
	tb.Helper()
	l.once.Do(func() {
		if a := os.Getenv(l.env); a != "" {
			l.srv, l.err = &server{addr: a}, nil
			if err := l.spec.ready(a); err != nil {
				l.err = fmt.Errorf("%s at %s (from %s) does not answer: %w", l.spec.name, a, l.env, err)
			}
			return
		}
		l.srv, l.err = startServer(l.spec)
	})
	if l.err != nil {
		tb.Fatal(l.err)
	}
	return l.srv.addr
}

// stop kills a server this process started and removes its directory.
func (l *lazyServer) stop() {
	if l.srv != nil {
		l.srv.stop()
	}
}

// startServer starts spec on a free loopback port, trying a few ports in case another
// process takes the chosen one first, and waits until it answers.
func startServer(spec serverSpec) (*server, error) {
	if _, err := exec.LookPath(spec.program); err != nil {
		return nil, fmt.Errorf("%s is not installed (apt-get install redis-server memcached): %w", spec.program, err)
	}
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp("", "cachekit-bench-"+spec.name+"-")
		if err != nil {
			return nil, err
		}
		s := &server{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
		s.cmd = exec.Command(spec.program, spec.args(port, dir)...)
		s.cmd.Dir = dir
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		setParentDeathSignal(s.cmd.SysProcAttr)
		if err := s.cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start %s: %w", spec.program, err)
		}
		if lastErr = waitReady(spec, s); lastErr == nil {
			return s, nil
		}
		s.stop()
	}
	return nil, fmt.Errorf("%s did not start: %w", spec.name, lastErr)
}

func waitReady(spec serverSpec, s *server) error {
	exited := make(chan struct{})
	go func() {
		// Wait reaps the process whenever it ends; stop relies on this goroutine.
		_ = s.cmd.Wait()
		close(exited)
	}()
	s.cmdDone = exited
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := spec.ready(s.addr)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready (port taken?): %w", spec.name, err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after 10 s: %w", spec.name, err)
		}
	}
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		if s.cmdDone != nil {
			<-s.cmdDone
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// freePort asks the kernel for a free loopback port. The port is released before the
// server binds it, so startServer retries if someone else takes it meanwhile.
func freePort() (int, error) {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if port != 6379 && port != 11211 {
			return port, nil
		}
	}
}

// redisReady sends PING in RESP and expects +PONG.
func redisReady(addr string) error {
	return probe(addr, "PING\r\n", "+PONG")
}

// memcachedReady sends version and expects VERSION.
func memcachedReady(addr string) error {
	return probe(addr, "version\r\n", "VERSION ")
}

func probe(addr, request, wantPrefix string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte(request)); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, wantPrefix) {
		return errors.New("unexpected answer " + strconv.Quote(strings.TrimSpace(line)))
	}
	return nil
}
