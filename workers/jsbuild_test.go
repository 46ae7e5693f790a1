//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// jsPackages are the packages a Worker may import: the client and everything under it,
// the cachekit.io backend, the in-process backend and the reliability middleware. The
// other packages of the module need system calls or processes and are not built for
// js: cmd/cachekit (the CLI), internal/testserver (starts redis and memcached), and
// backend/file (only its documentation builds for js; New exists on Unix only).
// backend/redis and backend/memcached compile for js but cannot connect there: a
// Worker has no raw TCP sockets through net.Dial.
var jsPackages = []string{
	"github.com/cachekit-io/cachekit-go",
	"github.com/cachekit-io/cachekit-go/backend",
	"github.com/cachekit-io/cachekit-go/backend/cachekitio",
	"github.com/cachekit-io/cachekit-go/backend/memory",
	"github.com/cachekit-io/cachekit-go/internal/flight",
	"github.com/cachekit-io/cachekit-go/internal/l1",
	"github.com/cachekit-io/cachekit-go/protocol/...",
	"github.com/cachekit-io/cachekit-go/reliability",
}

// TestPackagesBuildForJS keeps the packages a Worker may import building under
// GOOS=js GOARCH=wasm.
func TestPackagesBuildForJS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds for js/wasm; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("workers: the go command is not on PATH: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, append([]string{"build"}, jsPackages...)...)
	cmd.Env = append(wasmEnv(os.Environ()), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("workers: a package a Worker may import does not build for js/wasm: %v\n%s", err, out)
	}
}
