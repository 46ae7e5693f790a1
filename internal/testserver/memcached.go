package testserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// MemcachedOptions configures StartMemcached and LaunchMemcached. The zero value is a
// 64 MiB server with memcached's default 1 MiB item size limit.
type MemcachedOptions struct {
	// MaxItemSize is memcached's -I, the item size limit in bytes; zero keeps memcached's
	// default of 1 MiB.
	MaxItemSize int
	// MemoryMB is memcached's -m, the cache size in megabytes; zero means 64.
	MemoryMB int
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Memcached is a memcached process started by StartMemcached.
type Memcached struct {
	*Process
}

// StartMemcached starts memcached on a free loopback port (TCP only, UDP off), and stops
// it when the test ends. It skips the test when memcached is not installed.
func StartMemcached(t testing.TB, opts MemcachedOptions) *Memcached {
	t.Helper()
	return &Memcached{Process: Start(t, memcachedSpec(opts))}
}

func memcachedSpec(opts MemcachedOptions) Spec {
	return Spec{
		Name:    "memcached",
		Program: "memcached",
		Args:    func(port int, _ string) []string { return memcachedArgs(port, opts) },
		Ready:   memcachedReady,
	}
}

func memcachedArgs(port int, opts MemcachedOptions) []string {
	mem := opts.MemoryMB
	if mem <= 0 {
		mem = 64
	}
	args := []string{
		"-l", "127.0.0.1",
		"-p", strconv.Itoa(port),
		"-U", "0",
		"-m", strconv.Itoa(mem),
		"-t", "2",
	}
	if opts.MaxItemSize > 0 {
		args = append(args, "-I", strconv.Itoa(opts.MaxItemSize))
	}
	if os.Geteuid() == 0 {
		// memcached refuses to run as root unless told which user to run as.
		args = append(args, "-u", "root")
	}
	return append(args, opts.ExtraArgs...)
}

// memcachedReady is ready when the server answers "version".
func memcachedReady(ctx context.Context, addr string) error {
	_, err := MemcachedVersion(ctx, addr)
	return err
}

// MemcachedVersion asks the memcached server at addr for its version over a fresh
// connection, bounded by ctx, without depending on the client library under test.
func MemcachedVersion(ctx context.Context, addr string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if _, err := conn.Write([]byte("version\r\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "VERSION ")
	if !ok {
		return "", fmt.Errorf("testserver: unexpected reply to version: %q", line)
	}
	return v, nil
}

// MemcachedDaemon is a memcached process started by LaunchMemcached, outside any test:
// for TestMain and Example functions, which have no testing.TB.
type MemcachedDaemon struct {
	// Addr is "127.0.0.1:port".
	Addr string

	cmd  *exec.Cmd
	done chan struct{}
}

// ErrMemcachedMissing is returned by LaunchMemcached when memcached is not installed.
var ErrMemcachedMissing = errors.New("testserver: memcached is not installed (run scripts/ensure-test-deps.sh)")

// LaunchMemcached starts memcached on a free loopback port and waits until it answers.
// The caller must call Stop. It returns ErrMemcachedMissing when memcached is not
// installed.
func LaunchMemcached(opts MemcachedOptions) (*MemcachedDaemon, error) {
	if _, err := exec.LookPath("memcached"); err != nil {
		return nil, ErrMemcachedMissing
	}
	var lastErr error
	for range startAttempts {
		port, err := FreePort(nil)
		if err != nil {
			lastErr = err
			continue
		}
		d, err := launchMemcachedOn(port, opts)
		if err == nil {
			return d, nil
		}
		lastErr = err
	}
	return nil, fmt.Errorf("testserver: memcached did not start after %d attempts: %w", startAttempts, lastErr)
}

func launchMemcachedOn(port int, opts MemcachedOptions) (*MemcachedDaemon, error) {
	cmd := exec.Command("memcached", memcachedArgs(port, opts)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testserver: starting memcached: %w", err)
	}
	d := &MemcachedDaemon{Addr: "127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(d.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	for {
		probeCtx, probeCancel := context.WithTimeout(ctx, time.Second)
		err := memcachedReady(probeCtx, d.Addr)
		probeCancel()
		if err == nil {
			return d, nil
		}
		select {
		case <-d.done:
			return nil, fmt.Errorf("testserver: memcached on port %d exited before it was ready", port)
		case <-ctx.Done():
			d.Stop()
			return nil, fmt.Errorf("testserver: memcached on port %d not ready: %w", port, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop kills the daemon's process group and waits until it is gone.
func (d *MemcachedDaemon) Stop() {
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	<-d.done
}
