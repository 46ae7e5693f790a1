//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testclock"
)

// Helper modes of the re-executed test binary.
const (
	helperCrashWriter = "crash-writer"
	helperPeer        = "peer"
	helperUnreadable  = "unreadable"
)

// crashKeys is how many keys the crash writer cycles through; with crashMaxEntries below
// it, the writer also evicts (and so removes through tombstones) while it is killed.
const (
	crashKeys       = 16
	crashMaxEntries = 10
)

func runHelper(mode, dir string) int {
	switch mode {
	case helperCrashWriter:
		return runCrashWriter(dir)
	case helperPeer:
		return runPeer(dir)
	case helperUnreadable:
		return runUnreadable(dir)
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// crashValue returns the i-th value the crash writer stores: an 8-byte index followed by
// pseudo-random bytes derived from it, between 1 KiB and about 300 KiB long, so that a
// reader can tell a complete value from any truncation or mix.
func crashValue(i uint64) []byte {
	n := 1024 + int(i*7919%300_000)
	v := make([]byte, 8+n)
	binary.BigEndian.PutUint64(v, i)
	r := rand.New(rand.NewPCG(i, 0x9e3779b97f4a7c15))
	for j := 8; j < len(v); j += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(v[j:], w[:])
	}
	return v
}

// checkCrashValue reports whether payload is exactly one of the values crashValue makes.
func checkCrashValue(payload []byte) error {
	if len(payload) < 8 {
		return fmt.Errorf("payload of %d bytes is too short", len(payload))
	}
	i := binary.BigEndian.Uint64(payload)
	if i > 1<<40 || !bytes.Equal(payload, crashValue(i)) {
		return fmt.Errorf("payload of %d bytes claiming index %d is not that value", len(payload), i)
	}
	return nil
}

// runCrashWriter writes, refreshes and evicts in a loop until it is killed.
func runCrashWriter(dir string) int {
	b, err := New(Options{Dir: dir, MaxEntries: crashMaxEntries})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	start := uint64(time.Now().UnixNano() % 1_000_000 * 1000)
	for i := start; ; i++ {
		key := fmt.Sprintf("crash-%d", i%crashKeys)
		if err := b.Set(ctx, key, crashValue(i), time.Hour); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i%3 == 0 {
			_, _ = b.RefreshTTL(ctx, fmt.Sprintf("crash-%d", (i+5)%crashKeys), 2*time.Hour)
		}
		if i == start {
			fmt.Println("ready")
		}
	}
}

// runPeer serves "set KEY VALUE", "get KEY", "del KEY", "lock KEY" and "unlock KEY ID" lines from stdin on a backend
// of its own, answering one line each.
func runPeer(dir string) int {
	b, err := New(Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 3 && f[0] == "set":
			if err := b.Set(ctx, f[1], []byte(f[2]), time.Hour); err != nil {
				fmt.Println("error", err)
				continue
			}
			fmt.Println("ok")
		case len(f) == 2 && f[0] == "get":
			v, found, err := b.Get(ctx, f[1])
			switch {
			case err != nil:
				fmt.Println("error", err)
			case found:
				fmt.Println("found", string(v))
			default:
				fmt.Println("miss")
			}
		case len(f) == 2 && f[0] == "lock":
			id, ok, err := b.AcquireLock(ctx, f[1], time.Minute)
			switch {
			case err != nil:
				fmt.Println("error", err)
			case ok:
				fmt.Println("locked", id)
			default:
				fmt.Println("held")
			}
		case len(f) == 3 && f[0] == "unlock":
			ok, err := b.ReleaseLock(ctx, f[1], f[2])
			fmt.Println("released", ok, err)
		case len(f) == 2 && f[0] == "del":
			ok, err := b.Delete(ctx, f[1])
			fmt.Println("deleted", ok, err)
		default:
			fmt.Println("error bad command")
		}
	}
	return 0
}

// helperCommand returns the test binary re-executed in the given helper mode.
func helperCommand(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestCrashDuringWrites kills a writer process with SIGKILL at random moments, over and
// over, and checks after every kill that each file in the directory is a complete entry
// holding one of the written values, or a temporary file that is never read as an entry.
func TestCrashDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	const kills = 20
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range kills {
		cmd := helperCommand(t, helperCrashWriter, dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("round %d: writer did not start: %q, %v", round, line, err)
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, out)
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: writer ended with %v, not by SIGKILL", round, err)
		}
		verifyCrashDir(t, dir, round)
	}

	// Readers only ever return whole values; stale temporary files go at the next scan.
	clock := testclock.New(time.Now().Add(10 * time.Minute))
	b := newTestBackend(t, Options{Dir: dir, MaxEntries: crashMaxEntries, Clock: clock.Now})
	for i := range crashKeys {
		v, found, err := b.Get(context.Background(), fmt.Sprintf("crash-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if found {
			if err := checkCrashValue(v); err != nil {
				t.Fatalf("Get crash-%d: %v", i, err)
			}
		}
	}
	for _, name := range listDir(t, dir) {
		if isTempName(name) {
			t.Errorf("stale temporary file %s survived New", name)
		}
	}
}

// verifyCrashDir checks every file left in dir after a kill.
func verifyCrashDir(t *testing.T, dir string, round int) {
	t.Helper()
	var entries, temps int
	for _, name := range listDir(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("round %d: %s: %v", round, name, err)
		}
		switch {
		case isEntryName(name):
			entries++
			h, err := ParseHeader(data)
			if err != nil || h.Expiry == 0 {
				t.Fatalf("round %d: entry %s has a bad header: %+v, %v", round, name, h, err)
			}
			if err := checkCrashValue(data[HeaderSize:]); err != nil {
				t.Fatalf("round %d: entry %s is torn: %v", round, name, err)
			}
		case isTempName(name):
			temps++
		default:
			t.Fatalf("round %d: unexpected file %s", round, name)
		}
	}
	if entries == 0 || entries > crashKeys {
		t.Fatalf("round %d: %d entries", round, entries)
	}
	reader, err := New(Options{Dir: dir, MaxEntries: crashMaxEntries})
	if err != nil {
		t.Fatal(err)
	}
	for i := range crashKeys {
		v, found, err := reader.Get(context.Background(), fmt.Sprintf("crash-%d", i))
		if err != nil {
			t.Fatalf("round %d: Get: %v", round, err)
		}
		if found {
			if err := checkCrashValue(v); err != nil {
				t.Fatalf("round %d: Get crash-%d returned a torn value: %v", round, i, err)
			}
		}
	}
	t.Logf("round %d: %d complete entries, %d temporary files", round, entries, temps)
}

// TestTwoProcessesShareDirectory drives a second process on the same directory and
// checks that each side sees the other's writes and deletes.
func TestTwoProcessesShareDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	b := newTestBackend(t, Options{Dir: dir})
	ctx := context.Background()

	cmd := helperCommand(t, helperPeer, dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	replies := bufio.NewReader(stdout)
	ask := func(line string) string {
		t.Helper()
		if _, err := fmt.Fprintln(stdin, line); err != nil {
			t.Fatal(err)
		}
		reply, err := replies.ReadString('\n')
		if err != nil {
			t.Fatalf("peer: %v", err)
		}
		return strings.TrimSuffix(reply, "\n")
	}

	if err := b.Set(ctx, "from-parent", []byte("p1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := ask("get from-parent"); got != "found p1" {
		t.Fatalf("peer get from-parent = %q", got)
	}
	if got := ask("set from-child c1"); got != "ok" {
		t.Fatalf("peer set = %q", got)
	}
	if v, found, err := b.Get(ctx, "from-child"); err != nil || !found || string(v) != "c1" {
		t.Fatalf("Get from-child = %q, %v, %v", v, found, err)
	}
	if got := ask("set from-parent c2"); got != "ok" {
		t.Fatalf("peer overwrite = %q", got)
	}
	if v, found, err := b.Get(ctx, "from-parent"); err != nil || !found || string(v) != "c2" {
		t.Fatalf("Get overwritten from-parent = %q, %v, %v", v, found, err)
	}
	if deleted, err := b.Delete(ctx, "from-child"); err != nil || !deleted {
		t.Fatalf("Delete from-child = %v, %v", deleted, err)
	}
	if got := ask("get from-child"); got != "miss" {
		t.Fatalf("peer get after parent's delete = %q", got)
	}
	if got := ask("del from-parent"); got != "deleted true <nil>" {
		t.Fatalf("peer del = %q", got)
	}
	if _, found, err := b.Get(ctx, "from-parent"); err != nil || found {
		t.Fatalf("Get after peer's delete = %v, %v", found, err)
	}

	// Locks exclude each other across the processes.
	reply := ask("lock job")
	peerID, ok := strings.CutPrefix(reply, "locked ")
	if !ok {
		t.Fatalf("peer lock = %q", reply)
	}
	if _, acquired, err := b.AcquireLock(ctx, "job", time.Minute); err != nil || acquired {
		t.Fatalf("AcquireLock while the peer holds it = %v, %v", acquired, err)
	}
	if released, err := b.ReleaseLock(ctx, "job", "not-"+peerID); err != nil || released {
		t.Fatalf("ReleaseLock with a wrong id = %v, %v", released, err)
	}
	if got := ask("unlock job " + peerID); got != "released true <nil>" {
		t.Fatalf("peer unlock = %q", got)
	}
	id, acquired, err := b.AcquireLock(ctx, "job", time.Minute)
	if err != nil || !acquired {
		t.Fatalf("AcquireLock after the peer released = %v, %v", acquired, err)
	}
	if got := ask("lock job"); got != "held" {
		t.Fatalf("peer lock while the parent holds it = %q", got)
	}
	if released, err := b.ReleaseLock(ctx, "job", id); err != nil || !released {
		t.Fatalf("ReleaseLock = %v, %v", released, err)
	}
}
