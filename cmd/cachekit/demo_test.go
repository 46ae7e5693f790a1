package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// demoKeys are the master keys the demo draws in the tests: its own, then the "other"
// key of the wrong-key read.
var demoKeys = [2][]byte{
	bytes.Repeat([]byte{0x5a}, 32),
	bytes.Repeat([]byte{0xa5}, 32),
}

func demoRandom() *bytes.Reader {
	return bytes.NewReader(append(append([]byte(nil), demoKeys[0]...), demoKeys[1]...))
}

// tableRow finds the output line starting with label (after the indent) and returns
// its trailing whitespace-separated fields.
func tableRow(t *testing.T, out, label string, n int) []string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "   "+label); ok {
			f := strings.Fields(rest)
			if len(f) < n {
				t.Fatalf("row %q has %d fields, want %d", line, len(f), n)
			}
			return f[len(f)-n:]
		}
	}
	t.Fatalf("no row %q in:\n%s", label, out)
	return nil
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a count", s)
	}
	return n
}

// dumpBytes reads back the bytes of the hex dump lines that follow the line containing
// start, up to the first line that is not a dump line.
func dumpBytes(t *testing.T, out, start string) []byte {
	t.Helper()
	var b []byte
	in := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !in {
			in = strings.Contains(line, start)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || len(fields[0]) != 4 || !isHex(fields[0]) {
			break
		}
		hexPart, _, _ := strings.Cut(strings.TrimSpace(line)[4:], "|")
		raw, err := hex.DecodeString(strings.Join(strings.Fields(hexPart), ""))
		if err != nil {
			t.Fatalf("dump line %q: %v", line, err)
		}
		b = append(b, raw...)
	}
	if len(b) == 0 {
		t.Fatalf("no hex dump after %q in:\n%s", start, out)
	}
	return b
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

func TestDemo(t *testing.T) {
	for _, kind := range []string{"file", "memory"} {
		t.Run(kind, func(t *testing.T) {
			parent := t.TempDir()
			cfg := &demoConfig{backend: kind, users: 6, reads: 100, delay: 2 * time.Millisecond, random: demoRandom(), tempDir: parent}
			var out, progressOut bytes.Buffer
			res, err := runDemo(context.Background(), cfg, &out, &progress{w: &progressOut})
			if err != nil {
				t.Fatal(err)
			}
			text := out.String()
			checkDemoOutput(t, cfg, res, text)

			// Progress went to its own stream, as plain text (not a terminal).
			if p := progressOut.String(); !strings.Contains(p, "loading 6 profiles") || !strings.Contains(p, "done in") || strings.Contains(p, "\r") {
				t.Errorf("progress output %q", p)
			}
			// Nothing is left behind.
			if entries, err := os.ReadDir(parent); err != nil || len(entries) != 0 {
				t.Errorf("the demo left %v in its temporary directory (%v)", entries, err)
			}
			if kind == "file" && (res.dir == "" || !strings.Contains(text, res.dir)) {
				t.Errorf("the output does not say where the file backend lived (%q)", res.dir)
			}
		})
	}
}

func checkDemoOutput(t *testing.T, cfg *demoConfig, res *demoResult, text string) {
	t.Helper()
	// Sections in order.
	last := -1
	for _, h := range []string{"\n1. A slow loader", "\n2. Client-side encryption", "\n3. Next steps"} {
		i := strings.Index(text, h)
		if i < 0 || i < last {
			t.Fatalf("section %q missing or out of order in:\n%s", h, text)
		}
		last = i
	}

	// Counts: every profile is loaded exactly once; every later read is a hit of the tier
	// the cache contract says (an L2 hit on a cold client, an L1 hit on a warm one).
	coldStarts := (cfg.reads + cfg.users - 1) / cfg.users
	want := map[string][5]int{
		"app-1 starts cold": {cfg.users, 0, 0, cfg.users, cfg.users},
		fmt.Sprintf("app-2 starts cold, %d times", coldStarts): {cfg.reads, 0, cfg.reads, 0, 0},
		"app-2 again, warm": {cfg.reads, cfg.reads, 0, 0, 0},
	}
	for label, w := range want {
		row := tableRow(t, text, label, 5)
		for i, name := range []string{"reads", "L1 hits", "L2 hits", "misses", "loader runs"} {
			if got := atoi(t, row[i]); got != w[i] {
				t.Errorf("%s: %s = %d, want %d", label, name, got, w[i])
			}
		}
	}
	if res.loaderRuns != int64(cfg.users) || res.coldStarts != coldStarts {
		t.Errorf("loader runs %d, cold starts %d; want %d, %d", res.loaderRuns, res.coldStarts, cfg.users, coldStarts)
	}
	warmProfiles := cfg.reads - (coldStarts-1)*cfg.users
	wantStats := fmt.Sprintf("the last app-2's Stats(): L1Hits=%d L2Hits=%d Misses=0 L1Entries=%d", cfg.reads, warmProfiles, warmProfiles)
	if !strings.Contains(text, wantStats) || !res.l1BackfillOK {
		t.Errorf("want %q (backfill ok %v) in:\n%s", wantStats, res.l1BackfillOK, text)
	}

	// Latency rows: one per tier, with as many samples as reads, percentiles in order.
	for tr, n := range map[string]int{"miss (loader)": cfg.users, "L2 hit": cfg.reads, "L1 hit": cfg.reads} {
		row := tableRow(t, text, tr, 5)
		if got := atoi(t, row[0]); got != n {
			t.Errorf("%s: %d samples, want %d", tr, got, n)
		}
		var prev time.Duration
		for _, s := range row[1:] {
			d, err := time.ParseDuration(s)
			if err != nil || d < prev {
				t.Errorf("%s: percentile %q not a duration at or above %v", tr, s, prev)
			}
			prev = d
		}
	}
	if p50 := atoiDuration(t, tableRow(t, text, "miss (loader)", 5)[1]); p50 < cfg.delay {
		t.Errorf("a miss took %v, less than the loader's %v", p50, cfg.delay)
	}

	// Encryption: the key is never printed, the fingerprint is the protocol's.
	sec := res.secure
	if strings.Contains(text, hex.EncodeToString(demoKeys[0])) || strings.Contains(text, hex.EncodeToString(demoKeys[0])[:16]) {
		t.Error("the output shows the master key")
	}
	fp, err := encryption.Fingerprint(demoKeys[0], encryption.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "fingerprint        "+hex.EncodeToString(fp[:])) {
		t.Errorf("fingerprint %x not shown in:\n%s", fp, text)
	}
	// The sealed bytes are exactly the AES-GCM sealing of the plain client's bytes,
	// under the demo key and the AAD of the full storage key.
	kr, err := encryption.NewKeyring(demoKeys[0], nil, encryption.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	opened, _, err := kr.Open(sec.sealedStored, encryption.AAD(encryption.DefaultTenant, "demo:secure:patient:42", encryption.FormatMsgpack, false))
	if err != nil || !bytes.Equal(opened, sec.plainStored) {
		t.Fatalf("the sealed bytes do not open to the plain bytes: %v", err)
	}
	var decoded map[string]any
	if err := codec.Unmarshal(sec.plainStored, &decoded); err != nil || decoded["ssn"] != demoSSN {
		t.Fatalf("plain bytes decode to %v, %v", decoded, err)
	}
	// The dumps show those bytes; the plaintext is visible in one and not the other.
	plainDump := dumpBytes(t, text, "plain client (")
	if !bytes.Equal(plainDump, sec.plainStored) || !bytes.Contains(plainDump, []byte(demoSSN)) {
		t.Errorf("plain dump %x, want %x holding the SSN", plainDump, sec.plainStored)
	}
	ctDump := dumpBytes(t, text, "     ciphertext")
	if !bytes.HasPrefix(sec.sealedStored[encryption.NonceSize:], ctDump) || bytes.Contains(sec.sealedStored, []byte(demoSSN)) {
		t.Errorf("ciphertext dump %x is not the stored ciphertext, or the SSN is visible", ctDump)
	}
	if len(sec.sealedStored) != len(sec.plainStored)+28 {
		t.Errorf("sealed %d bytes for %d plain: not nonce|ciphertext|tag", len(sec.sealedStored), len(sec.plainStored))
	}
	if sec.wrongKeyKind != cachekit.KindEncryption || !strings.Contains(text, "encryption error") {
		t.Errorf("wrong key gave kind %v", sec.wrongKeyKind)
	}
	if sec.roundTrip.SSN != demoSSN {
		t.Errorf("round trip %+v", sec.roundTrip)
	}
}

func atoiDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDemoCommand(t *testing.T) {
	r := runCLI(t, nil, "demo", "-n", "30", "-users", "3", "-delay", "1ms", "-quiet", "-backend", "memory")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "3. Next steps") || !strings.Contains(r.stdout, "backend: memory") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	for _, args := range [][]string{
		{"-backend", "redis://localhost:6379"},
		{"-n", "0"},
		{"-users", "0"},
		{"-users", "1001"},
		{"-delay", "2s"},
		{"-delay", "-1ms"},
		{"extra"},
	} {
		r := runCLI(t, nil, append([]string{"demo"}, args...)...)
		if r.code != exitUsage || r.stdout != "" {
			t.Errorf("%q: exit %d stdout %q, want a usage error", args, r.code, r.stdout)
		}
	}
}

func TestDemoCancelledCleansUp(t *testing.T) {
	parent := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := &demoConfig{backend: "file", users: 3, reads: 10, delay: time.Millisecond, random: demoRandom(), tempDir: parent, quiet: true}
	_, err := runDemo(ctx, cfg, new(bytes.Buffer), &progress{quiet: true})
	if err == nil {
		t.Fatal("a cancelled demo succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left %v behind", entries)
	}
}

func TestProgressOnTerminal(t *testing.T) {
	var buf testserver.OutputBuffer
	p := &progress{w: &buf, tty: true, tick: time.Millisecond}
	task := p.start("working", 3)
	task.advance()
	task.done()
	out := buf.String()
	if !strings.HasPrefix(out, "\r| working ") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("spinner output %q", out)
	}
	// Quiet writes nothing, whatever the stream.
	var quiet testserver.OutputBuffer
	q := (&progress{w: &quiet, tty: true, quiet: true}).start("x", 1)
	q.advance()
	q.done()
	if quiet.String() != "" {
		t.Errorf("quiet progress wrote %q", quiet.String())
	}
}

func TestPercentile(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(101-i)*time.Millisecond) // unsorted on purpose
	}
	s := l.summarize()
	// Nearest rank over 1..100 ms: the p-th percentile is p ms.
	if s.n != 100 || s.p50 != 50*time.Millisecond || s.p90 != 90*time.Millisecond || s.p99 != 99*time.Millisecond || s.max != 100*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
	if one := (latencies{7}).summarize(); one.p50 != 7 || one.p99 != 7 {
		t.Errorf("one sample: %+v", one)
	}
	if (latencies{}).summarize().n != 0 {
		t.Error("empty summary")
	}
	if l[0] != 100*time.Millisecond {
		t.Error("summarize sorted its receiver")
	}
}

func TestRatioAndLatencyFormat(t *testing.T) {
	for _, tt := range []struct {
		a, b time.Duration
		want string
	}{
		{50 * time.Millisecond, 690 * time.Nanosecond, "72000x"},
		{50 * time.Millisecond, 6600 * time.Nanosecond, "7600x"},
		{10, 4, "2.5x"},
		{99, 9, "11x"},
	} {
		if got := ratio(tt.a, tt.b); got != tt.want {
			t.Errorf("ratio(%v, %v) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	for d, want := range map[time.Duration]string{
		691:                     "691ns",
		6600:                    "6.6µs",
		52 * time.Millisecond:   "52.0ms",
		1500 * time.Millisecond: "1.50s",
	} {
		if got := fmtLatency(d); got != want {
			t.Errorf("fmtLatency(%v) = %s, want %s", int64(d), got, want)
		}
	}
}
