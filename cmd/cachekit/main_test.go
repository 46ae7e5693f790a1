package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (the demo's clients, the
// memory backend's janitor, the progress spinner, the dev server). One rueidis
// goroutine outlives a failed redis.New by design (rueidis v1.0.79: after a failed
// dial, clusterClient.lazyRefresh schedules a refresh with call.DelayDo, which sleeps
// up to about a second and ends by itself); it holds nothing of ours and alone is
// ignored, as in backend/redis's tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"))
}

// cliResult is what one in-process run of the command produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line args with the environment vars (and nothing of the
// process environment) and returns its exit status and output.
func runCLI(t *testing.T, vars map[string]string, args ...string) cliResult {
	t.Helper()
	return runCLIContext(t, context.Background(), vars, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, vars map[string]string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := testEnv(&stdout, &stderr, vars)
	code := run(ctx, e, args)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// testEnv returns an env over the given writers and variables, with a fixed clock.
func testEnv(stdout, stderr *bytes.Buffer, vars map[string]string) *env {
	return &env{
		stdout: stdout,
		stderr: stderr,
		lookup: func(name string) (string, bool) {
			v, ok := vars[name]
			return v, ok
		},
		now: func() time.Time { return time.Unix(1_700_000_000, 0) },
	}
}
