// Package examples_test builds every program under examples/ and runs it, checking the
// lines that show what each example is about ("loader runs: 1", a typed error, an
// evicted L1 copy). It checks only what is deterministic: counts and values, never
// how long anything took.
package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// binDir holds the example binaries, built once by TestMain.
var binDir string

// examples are the programs TestMain builds; each must have a test below.
var examples = []string{"quickstart", "memoize", "secure", "coherence", "cachekitio", "http-middleware"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cachekit-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := 1
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles every example into dir with one go build, with the race detector when
// the tests run with it, so that -race covers the examples' goroutines as well.
func build(dir string) error {
	goTool, err := exec.LookPath("go") // go test puts its own go first in PATH
	if err != nil {
		return fmt.Errorf("building the examples needs the go command: %w", err)
	}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceEnabled {
		args = append(args, "-race")
	}
	for _, e := range examples {
		args = append(args, "./"+e)
	}
	cmd := exec.Command(goTool, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return nil
}

// run executes an example with args and returns its standard output. It fails the test
// when the program does not exit 0 within a minute, or reports a data race. The
// program gets the environment without CACHEKIT_* variables, so a developer's
// configuration cannot change what it prints.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, name), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CACHEKIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if strings.Contains(stderr.String(), "WARNING: DATA RACE") {
		t.Fatalf("%s: data race:\n%s", name, stderr.String())
	}
	return stdout.String()
}

// wantLines checks that every pattern matches a line of out, in order: pattern i+1
// must match a line after the one pattern i matched. Patterns are regular expressions.
func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	next := 0
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		found := false
		for next < len(lines) {
			line := lines[next]
			next++
			if re.MatchString(line) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("no line matching %q (after the lines matched before it) in:\n%s", p, out)
		}
	}
}

func TestEveryExampleIsTested(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if got, want := strings.Join(dirs, " "), strings.Join(slices.Sorted(slices.Values(examples)), " "); got != want {
		t.Errorf("example directories %q; the test builds and runs %q: add the new example to examples and give it a test", got, want)
	}
}

func TestQuickstart(t *testing.T) {
	t.Parallel()
	out := run(t, "quickstart")
	wantLines(t, out,
		`^user:42 found=true: \{ID:42 Name:Ada Email:ada@example\.com\}$`,
		`^user:43 found=false `,
		`^user:42:ssn decrypts to "123-45-6789"; the backend holds \d+ bytes of ciphertext$`,
	)
}

func TestMemoize(t *testing.T) {
	t.Parallel()
	out := run(t, "memoize")
	wantLines(t, out,
		`^  first call:  espresso costs 250 cents \(loader runs: 1,`,
		`^  second call: espresso costs 250 cents \(loader runs: 1,`,
		`^single-flight: 100 concurrent callers answered, loader runs: 1$`,
		`^  first call:    EUR/USD rate v1$`,
		`^  after 300ms:   EUR/USD rate v1 \(stale, returned at once; refreshes started: 1\)$`,
		`^  after refresh: EUR/USD rate v2$`,
		`^  first call:  no such user \(lookups: 1\)$`,
		`^  second call: .*no such user; is errNoSuchUser: true, from the cache: true \(lookups: 1\)$`,
	)
}

func TestSecure(t *testing.T) {
	t.Parallel()
	out := run(t, "secure")
	encryptionError := []string{
		`^  error: cachekit: get "patient:7:diagnosis": encryption: `,
		`^  errors\.Is\(err, cachekit\.ErrEncryption\): true$`,
		`^  errors\.Is\(err, encryption\.ErrAuthentication\): true$`,
		`^  errors\.As: kind "encryption", op "get", key "patient:7:diagnosis"$`,
	}
	want := []string{
		`^round trip: "seasonal allergies" found=true$`,
		// 12-byte nonce + 19 bytes of MessagePack + 16-byte tag.
		`^backend holds 47 bytes for secure-example:patient:7:diagnosis: [0-9a-f]{16}\.\.\. \(plaintext visible: false\)$`,
		`^plain Get of an encrypted entry: errors\.Is\(err, cachekit\.ErrSerialization\) = true$`,
		`^after rotation: "seasonal allergies" read with the previous key \(previous-key reads: 1\)$`,
		`^old key only, value under the new key: errors\.Is\(err, cachekit\.ErrEncryption\) = true$`,
		`^tampered value: found=false$`,
	}
	want = append(want, encryptionError...)
	want = append(want, `^value copied from another key: found=false$`)
	want = append(want, encryptionError...)
	wantLines(t, out, want...)
}

// coherenceLines are what the coherence example prints over any invalidating backend.
var coherenceLines = []string{
	`^B reads "light"$`,
	`^B reads "light"$`,
	`^B stats before A's second write: L1 hits 1, L2 hits 1, misses 0, invalidations received 1$`,
	`^after A writes "dark", B reads "dark"$`,
	`^B stats after A's second write: L1 hits 1, L2 hits 2, misses 0, invalidations received 2$`,
	`^A reads "dark"; A's L1 hits: 1, invalidations received: 0$`,
}

func TestCoherence(t *testing.T) {
	t.Parallel()
	out := run(t, "coherence")
	wantLines(t, out, append([]string{`^backend: memory \(shared in process\); B kept coherent: true$`}, coherenceLines...)...)
}

func TestCoherenceOverRedis(t *testing.T) {
	if testserver.SkipIntegration() {
		t.Skip("CACHEKIT_SKIP_INTEGRATION=1")
	}
	t.Parallel()
	r := testserver.StartRedis(t, testserver.RedisOptions{})
	out := run(t, "coherence", "-redis", r.Addr)
	wantLines(t, out, append([]string{`^backend: redis ` + regexp.QuoteMeta(r.Addr) + `; B kept coherent: true$`}, coherenceLines...)...)
}

func TestCachekitio(t *testing.T) {
	t.Parallel()
	out := run(t, "cachekitio")
	wantLines(t, out,
		`^health: backend cachekitio, healthy true$`,
		// Whole seconds from the start of the write's second: 90 or, across a second
		// boundary, 89.
		`^greeting: found true, remaining TTL 1m(30|29)s$`,
		`^B reads greeting: "hello from A" \(found true, L2 hits 1\)$`,
		`^lock: A acquires true, B acquires false, A releases true, then B acquires true$`,
		`^single-flight across two clients: 20 callers answered, loader runs: 1$`,
	)
}

func TestHTTPMiddleware(t *testing.T) {
	t.Parallel()
	out := run(t, "http-middleware")
	wantLines(t, out,
		`^GET /weather\?city=paris +-> 200 \{"city":"paris","temp_c":18\} `,
		`^GET /weather\?city=paris +-> 200 \{"city":"paris","temp_c":18\} `,
		`^GET /weather\?city=Paris +-> 200 \{"city":"paris","temp_c":18\} `,
		`^GET /weather\?city=oslo +-> 200 \{"city":"oslo","temp_c":7\} `,
		`^GET /weather\?city=atlantis +-> 404 unknown city `,
		`^GET /weather\?city=atlantis +-> 404 unknown city `,
		`^20 concurrent requests for rome: 20 answered 200$`,
		`^upstream calls: 4 for 26 requests `,
	)
}
