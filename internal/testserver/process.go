package testserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ReadyTimeout bounds how long Start waits for a process to answer its readiness probe.
const ReadyTimeout = 15 * time.Second

// startAttempts is how many ports Start tries before giving up.
const startAttempts = 5

// Spec describes a server program for Start.
type Spec struct {
	// Name labels the process in logs and failure messages, e.g. "redis".
	Name string
	// Program is the executable, looked up in PATH.
	Program string
	// Args returns the command-line arguments for a process listening on port with its
	// working files in dir.
	Args func(port int, dir string) []string
	// Ready probes addr ("127.0.0.1:port") once and returns nil when the server is ready
	// to serve. Start calls it repeatedly until ReadyTimeout.
	Ready func(ctx context.Context, addr string) error
	// PortFree, when set, adds a check on a candidate port beyond "it can be bound", such
	// as "port+10000 is free as well" for the Redis cluster bus.
	PortFree func(port int) bool
	// Dir is the working directory; empty means a fresh t.TempDir().
	Dir string
}

// Process is a running server started by Start.
type Process struct {
	// Addr is "127.0.0.1:port".
	Addr string
	// Port is the TCP port the server listens on.
	Port int
	// Dir is the server's working directory; its log file is Dir/<Name>.log.
	Dir string

	t    testing.TB
	spec Spec

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
}

// Start starts spec's program on a free loopback port and waits until it is ready. It
// fails the test when the program is not installed (integration tests are never skipped
// silently; set CACHEKIT_SKIP_INTEGRATION=1 to skip them on purpose) and when the server
// does not become ready. The process is killed in t.Cleanup.
func Start(t testing.TB, spec Spec) *Process {
	t.Helper()
	if _, err := exec.LookPath(spec.Program); err != nil {
		if SkipIntegration() {
			t.Skipf("testserver: %s is not installed and CACHEKIT_SKIP_INTEGRATION is set", spec.Program)
		}
		t.Fatalf("testserver: %s is not installed (run scripts/ensure-test-deps.sh, or set CACHEKIT_SKIP_INTEGRATION=1 to skip)", spec.Program)
	}
	dir := spec.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	p := &Process{t: t, spec: spec, Dir: dir}
	t.Cleanup(p.stop)
	var lastErr error
	for range startAttempts {
		port, err := FreePort(spec.PortFree)
		if err != nil {
			lastErr = err
			continue
		}
		if lastErr = p.startOn(port); lastErr == nil {
			return p
		}
	}
	t.Fatalf("testserver: %s did not start after %d attempts: %v", spec.Name, startAttempts, lastErr)
	return nil
}

// FreePort returns a loopback TCP port that could be bound a moment ago and passes the
// optional extra check. It never returns a port below 1024 or 6379.
func FreePort(extra func(port int) bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testserver: listening on a free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if port < 1024 || port == 6379 {
			continue
		}
		if extra != nil && !extra(port) {
			continue
		}
		return port, nil
	}
	return 0, errors.New("testserver: found no free port that passes the check")
}

// PortBindable reports whether 127.0.0.1:port can be bound right now.
func PortBindable(port int) bool {
	if port <= 0 || port > 65535 {
		return false
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// startOn starts the program on port and waits for readiness; on failure the process is
// killed and the error says why, with the tail of its log.
func (p *Process) startOn(port int) error {
	logPath := filepath.Join(p.Dir, p.spec.Name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("testserver: opening %s log: %w", p.spec.Name, err)
	}
	cmd := exec.Command(p.spec.Program, p.spec.Args(port, p.Dir)...)
	cmd.Dir = p.Dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("testserver: starting %s: %w", p.spec.Program, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.Port = port
	p.Addr = "127.0.0.1:" + strconv.Itoa(port)
	p.mu.Unlock()

	if err := p.waitReady(done); err != nil {
		p.kill()
		tail, _ := os.ReadFile(logPath)
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return fmt.Errorf("%w; log tail:\n%s", err, tail)
	}
	return nil
}

func (p *Process) waitReady(exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	var lastErr error
	for {
		select {
		case <-exited:
			return fmt.Errorf("testserver: %s on port %d exited before it was ready", p.spec.Name, p.Port)
		default:
		}
		probeCtx, probeCancel := context.WithTimeout(ctx, time.Second)
		lastErr = p.spec.Ready(probeCtx, p.Addr)
		probeCancel()
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testserver: %s on port %d not ready after %v: %w", p.spec.Name, p.Port, ReadyTimeout, lastErr)
		case <-exited:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL to the process group and waits for the process to be reaped.
func (p *Process) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Kill stops the server abruptly (SIGKILL to its process group) and waits until it is
// gone, simulating a crash. The port stays reserved for Restart only by convention.
func (p *Process) Kill() {
	p.t.Helper()
	p.kill()
}

// Running reports whether the server process is alive (started and not killed).
func (p *Process) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Restart kills the server if it runs and starts it again on the same port and directory,
// waiting until it is ready. It fails the test if the port was taken in between.
func (p *Process) Restart() {
	p.t.Helper()
	p.kill()
	if err := p.startOn(p.Port); err != nil {
		p.t.Fatalf("testserver: restarting %s on port %d: %v", p.spec.Name, p.Port, err)
	}
}

func (p *Process) stop() { p.kill() }

// SkipIntegration reports whether the developer asked to skip tests that need real
// servers, by setting CACHEKIT_SKIP_INTEGRATION=1. CI never sets it.
func SkipIntegration() bool { return os.Getenv("CACHEKIT_SKIP_INTEGRATION") == "1" }
