//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The workerd test: build the program for js/wasm, serve it from the real workerd
// runtime (npm package workerd, installed into node_modules from package-lock.json) and
// drive it over HTTP against a devserver on loopback.
//
// Three copies of the worker run in one workerd, because Go's js transport decides
// whether to use fetch by looking at the `process` global: it falls back to a fake
// in-process network when process.argv0 starts with "node". Without nodejs_compat there
// is no such global (wasm_exec.js installs a stub without argv0); with nodejs_compat
// and a date from 2024-09-23 there is one whose argv0 is undefined; at 2026-11-17, where
// nodejs_compat is on by default (since 2026-08-04), argv0 is "workerd". Every copy must
// keep going through fetch.

// flavor is one copy of the worker in the workerd config.
type flavor struct {
	name      string // service and socket name
	namespace string // CACHEKIT_NAMESPACE, distinct so the copies never share keys
	date      string // compatibilityDate
	flags     []string
	noAPIKey  bool // leave CACHEKIT_API_KEY out: the program must answer 500, not die
}

var flavors = []flavor{
	{name: "plain", namespace: "wplain", date: "2025-09-01"},
	{name: "nodecompat", namespace: "wnode", date: "2025-09-01", flags: []string{"nodejs_compat"}},
	// The newest date workerd 1.20261117.1 supports: nodejs_compat without the flag.
	{name: "latest", namespace: "wlatest", date: "2026-11-17"},
	{name: "misconfigured", namespace: "wbad", date: "2025-09-01", noAPIKey: true},
}

func TestWorkerd(t *testing.T) {
	if testing.Short() {
		t.Skip("the workerd test builds wasm and starts workerd; skipped with -short")
	}
	start := time.Now()
	workerd := workerdBinary(t)
	dir := buildWorker(t)
	t.Logf("built cachekit.wasm in %v", time.Since(start).Round(time.Millisecond))
	checkBundleSize(t, dir)
	dev := startDevServer(t)

	listeners := make([]*os.File, len(flavors))
	addrs := make([]string, len(flavors))
	for i := range flavors {
		listeners[i], addrs[i] = loopbackListener(t)
	}
	writeConfig(t, dir, dev.URL)
	wd := startWorkerd(t, workerd, dir, listeners)

	for i, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			w := &workerClient{base: "http://" + addrs[i]}
			ready := time.Now()
			if f.noAPIKey {
				waitAnswer(t, wd, w, http.StatusInternalServerError)
				checkConfigError(t, w)
				return
			}
			waitAnswer(t, wd, w, http.StatusOK)
			t.Logf("the worker answered after %v", time.Since(ready).Round(time.Millisecond))
			runScenario(t, w, dev.URL, f.namespace)
		})
	}
}

// workerdBinary returns the path of node_modules/.bin/workerd, running npm ci first
// when it is missing.
func workerdBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join("node_modules", ".bin", "workerd")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("workers: the workerd test needs npm (Node.js) to install the workerd runtime into workers/node_modules; " +
			"install Node.js and npm (apt-get install nodejs npm), or run `npm ci` in workers/")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("workers: npm ci in workers/ failed: %v\n%s", err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("workers: npm ci did not install %s: %v", bin, err)
	}
	return bin
}

// buildWorker builds cachekit.wasm into a temporary directory and puts worker.mjs and
// Go's wasm_exec.js beside it.
func buildWorker(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("workers: the go command is not on PATH: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "cachekit.wasm"), ".")
	build.Env = append(wasmEnv(os.Environ()), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("workers: building cachekit.wasm failed: %v\n%s", err, out)
	}
	goroot, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("workers: go env GOROOT: %v", err)
	}
	copyFile(t, wasmExecPath(t, strings.TrimSpace(string(goroot))), filepath.Join(dir, "wasm_exec.js"))
	copyFile(t, "worker.mjs", filepath.Join(dir, "worker.mjs"))
	return dir
}

// wasmEnv drops what would break a js/wasm build from env: -race in GOFLAGS (the
// race detector does not exist there) and an explicit GOOS or GOARCH.
func wasmEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case "GOOS", "GOARCH":
			continue
		case "GOFLAGS":
			var keep []string
			for f := range strings.FieldsSeq(value) {
				if f != "-race" && f != "--race" && !strings.HasPrefix(f, "-race=") {
					keep = append(keep, f)
				}
			}
			kv = "GOFLAGS=" + strings.Join(keep, " ")
		}
		out = append(out, kv)
	}
	return out
}

// wasmExecPath finds Go's JS loader: lib/wasm since Go 1.24, misc/wasm before.
func wasmExecPath(t *testing.T, goroot string) string {
	t.Helper()
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if _, err := os.Stat(filepath.Join(goroot, p)); err == nil {
			return filepath.Join(goroot, p)
		}
	}
	t.Fatalf("workers: wasm_exec.js is not under GOROOT %s", goroot)
	return ""
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// loopbackListener opens a listening socket on a free loopback port for workerd to
// inherit, so that no other process can take the port between choosing and binding it.
func loopbackListener(t *testing.T) (*os.File, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.(*net.TCPListener).File()
	addr := l.Addr().String()
	_ = l.Close() // f is a duplicate descriptor that keeps the socket listening
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, addr
}

// writeConfig writes config.capnp: one worker service per flavor, each with the ES
// module, Go's loader and the wasm module, its bindings, and an outbound network
// service that may reach loopback (workerd's implicit "internet" allows only public
// addresses).
func writeConfig(t *testing.T, dir, devURL string) {
	t.Helper()
	var services, sockets, workers strings.Builder
	for i, f := range flavors {
		fmt.Fprintf(&services, "    (name = %q, worker = .worker%d),\n", f.name, i)
		fmt.Fprintf(&sockets, "    (name = %q, http = (), service = %q),\n", f.name, f.name)
		apiKeyBinding := "CACHEKIT_API_KEY"
		if f.noAPIKey {
			apiKeyBinding = "UNUSED_API_KEY" // not CACHEKIT_*, so the program never sees it
		}
		flags := make([]string, len(f.flags))
		for i, fl := range f.flags {
			flags[i] = fmt.Sprintf("%q", fl)
		}
		fmt.Fprintf(&workers, `
const worker%d :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "wasm_exec.js", esModule = embed "wasm_exec.js"),
    (name = "cachekit.wasm", wasm = embed "cachekit.wasm"),
  ],
  compatibilityDate = %q,
  compatibilityFlags = [%s],
  bindings = [
    (name = "CACHEKIT_DEV_SERVER_URL", text = %q),
    (name = %q, text = %q),
    (name = "CACHEKIT_MASTER_KEY", text = %q),
    (name = "CACHEKIT_NAMESPACE", text = %q),
    (name = "CACHEKIT_MAX_RETRIES", text = "1"),
  ],
  globalOutbound = "loopback",
);
`, i, f.date, strings.Join(flags, ", "), devURL, apiKeyBinding, testAPIKey, testMasterKey, f.namespace)
	}
	config := fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
%s    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
%s  ],
);
%s`, services.String(), sockets.String(), workers.String())
	if err := os.WriteFile(filepath.Join(dir, "config.capnp"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects workerd's output for the failure log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// checkConfigError checks what a worker without an API key answers: a configuration
// error naming the missing binding, on every route, and no secret.
func checkConfigError(t *testing.T, w *workerClient) {
	t.Helper()
	for _, target := range []string{"/stats", "/kv/k", "/secure/k"} {
		_, b := w.do(t, http.MethodGet, target, nil, http.StatusInternalServerError)
		var e errorBody
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("GET %s: body %q is not an error answer", target, b)
		}
		if e.Kind != "config" || !strings.Contains(e.Error, "CACHEKIT_API_KEY") {
			t.Errorf("GET %s: error %+v, want a config error naming CACHEKIT_API_KEY", target, e)
		}
		if strings.Contains(string(b), testMasterKey) {
			t.Errorf("GET %s: the answer contains the master key", target)
		}
	}
}

// workerdProcess is a running workerd.
type workerdProcess struct {
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	out    *lockedBuffer // what it printed
}

// startWorkerd runs `workerd serve config.capnp` with the listeners as inherited
// sockets, and stops it (its whole process group) when the test ends.
func startWorkerd(t *testing.T, workerd, dir string, listeners []*os.File) *workerdProcess {
	t.Helper()
	bin, err := filepath.Abs(workerd)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "config.capnp", "--verbose"}
	for i, f := range flavors {
		args = append(args, fmt.Sprintf("--socket-fd=%s=%d", f.name, 3+i))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.ExtraFiles = listeners
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &workerdProcess{exited: make(chan struct{}), out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("workers: starting workerd: %v", err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
		if t.Failed() {
			t.Logf("workerd output:\n%s", p.out.String())
		}
	})
	return p
}

// waitAnswer polls GET /stats until the worker answers with status want; the first
// request also starts the Go program inside it. It gives up when workerd exits, or
// after a minute.
func waitAnswer(t *testing.T, p *workerdProcess, w *workerClient, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		status, _, body, err := w.try(http.MethodGet, "/stats", nil)
		if err == nil && status == want {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("workers: workerd exited (%v) before the worker answered:\n%s", p.err, p.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers: the worker did not become ready: status %d, body %q, err %v", status, body, err)
		}
	}
}
