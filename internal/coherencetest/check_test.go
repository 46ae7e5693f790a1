package coherencetest

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// TestCheckPoll shows that the judge of poll sequences can fail: stale reads, foreign
// values and unfinished polls are caught, and legitimate sequences pass.
func TestCheckPoll(t *testing.T) {
	t.Parallel()
	r := func(value, source string, n int) run { return run{Value: value, Source: source, N: n} }
	restart := []string{errorResult, missResult}
	tests := []struct {
		name    string
		runs    []run
		want    string
		interim []string
		ok      bool
	}{
		{"set", []run{r("v1", "l1", 40), r("v2", "l2", 1), r("v2", "l1", 50)}, "v2", nil, true},
		{"set seen at once", []run{r("v2", "l2", 1), r("v2", "l1", 50)}, "v2", nil, true},
		{"delete", []run{r("v1", "l1", 3), r(missResult, "l2", 51)}, missResult, nil, true},
		{"old value backfilled again", []run{r("v1", "l1", 3), r("v1", "l2", 1), r("v1", "l1", 3), r("v2", "l2", 1)}, "v2", nil, true},
		{"stale after new", []run{r("v1", "l1", 3), r("v2", "l2", 1), r("v1", "l1", 1)}, "v2", nil, false},
		{"stale after miss", []run{r("v1", "l1", 3), r(missResult, "l2", 1), r("v1", "l1", 1)}, missResult, nil, false},
		{"never reached", []run{r("v1", "l1", 1000)}, "v2", nil, false},
		{"no gets", nil, "v2", nil, false},
		{"foreign value", []run{r("v1", "l1", 3), r("v9", "l2", 1), r("v2", "l2", 1)}, "v2", nil, false},
		{"interim not allowed", []run{r("v1", "l1", 3), r(missResult, "l2", 1), r("v2", "l2", 1)}, "v2", nil, false},
		{"restart", []run{r("v1", "l1", 30), r(errorResult, "", 4), r(missResult, "l2", 2), r("v2", "l2", 1), r("v2", "l1", 49)}, "v2", restart, true},
		{"restart stale after error", []run{r("v1", "l1", 30), r(errorResult, "", 4), r("v1", "l1", 1), r("v2", "l2", 1)}, "v2", restart, false},
		{"interim after want", []run{r("v1", "l1", 30), r("v2", "l2", 1), r(errorResult, "", 1), r("v2", "l2", 1)}, "v2", restart, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkPoll(tt.runs, "v1", tt.want, tt.interim)
			if (err == nil) != tt.ok {
				t.Errorf("checkPoll(%s) = %v, want ok=%v", formatRuns(tt.runs), err, tt.ok)
			}
		})
	}
}

// TestMsgpackStr checks the hand-built values redis-cli writes against the MessagePack
// specification's fixstr layout (0xa0 | length, then the bytes: "v3" is a2 76 33; a3 76
// 33 would announce three bytes and be truncated) and against vmihailenco/msgpack.
func TestMsgpackStr(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, hex string }{
		{"v3", "a27633"},
		{"", "a0"},
		{"m1", "a26d31"},
		{"fence", "a566656e6365"},
	}
	for _, tt := range tests {
		want, err := hex.DecodeString(tt.hex)
		if err != nil {
			t.Fatal(err)
		}
		got := msgpackStr(t, tt.in)
		if !bytes.Equal(got, want) {
			t.Errorf("msgpackStr(%q) = %x, want %s", tt.in, got, tt.hex)
		}
		lib, err := msgpack.Marshal(tt.in)
		if err != nil || !bytes.Equal(got, lib) {
			t.Errorf("msgpackStr(%q) = %x, vmihailenco/msgpack encodes %x (%v)", tt.in, got, lib, err)
		}
	}
}

// TestLatencySummary checks the median and maximum reported for latencies.
func TestLatencySummary(t *testing.T) {
	t.Parallel()
	var l latencies
	if n, _, _ := l.summary(); n != 0 {
		t.Fatalf("empty summary n = %d", n)
	}
	for _, ms := range []int{5, 1, 9, 3, 7} {
		l.add(time.Duration(ms) * time.Millisecond)
	}
	n, median, maximum := l.summary()
	if n != 5 || median != 5*time.Millisecond || maximum != 9*time.Millisecond {
		t.Errorf("summary = %d, %v, %v; want 5, 5ms, 9ms", n, median, maximum)
	}
}
