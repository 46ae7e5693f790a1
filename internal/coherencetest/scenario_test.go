package coherencetest

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Values of a round: the reader caches oldValue, the writer's change leaves the key at
// change.want; the marker goes from markerOld (the reader's own write) to markerNew
// (the writer's).
const (
	oldValue  = "v1"
	markerOld = "m0"
	markerNew = "m1"
)

// change is what the writer does to a key that the reader holds in its L1 as oldValue.
type change struct {
	// apply makes the change and returns once the server acknowledged it.
	apply func(t tb, key string)
	// want is the state the reader must end up reading: a value or missResult.
	want string
	// interim are the results allowed between oldValue and want (a restart's errors and
	// misses); none by default.
	interim []string
	// markerAfter are the results allowed for the marker once it left the L1; by
	// default only markerNew.
	markerAfter []string
	// pollBound bounds the poll variant; 5 s by default.
	pollBound time.Duration
	// settle, when set, runs before each variant of each round.
	settle func(t tb)
}

// roundKeys are the keys of one round. They share a hash tag so that in a Cluster they
// live on one node, whose tracking connection then carries both invalidations in order.
type roundKeys struct {
	key, marker string
}

var roundCounter atomic.Uint64

// newRoundKeys returns keys no earlier round used, so that no invalidation of an earlier
// round can be in flight for them.
func newRoundKeys() roundKeys {
	tag := fmt.Sprintf("{r%d}", roundCounter.Add(1))
	return roundKeys{key: tag + ":k", marker: tag + ":m"}
}

// runRounds runs rounds times the poll variant and the marker variant of ch (see the
// package documentation), with w writing the initial values and the marker, and logs
// the invalidation latencies measured by the poll variant.
func runRounds(t *testing.T, rd *readerProc, w writer, ch change, rounds int) {
	t.Helper()
	write := &latencies{}
	acked := &latencies{}
	changed := &latencies{}
	for range rounds {
		if ch.settle != nil {
			ch.settle(t)
		}
		pollRound(t, rd, w, ch, write, acked, changed)
		if ch.settle != nil {
			ch.settle(t)
		}
		markerRound(t, rd, w, ch)
	}
	write.log(t, "start of the change to first fresh read")
	acked.log(t, "acknowledgement of the change to first fresh read")
	if len(ch.interim) > 0 {
		changed.log(t, "start of the change to first read of something other than the cached value")
	}
}

// pollRound: the reader holds oldValue in its L1 and polls while the writer changes the
// key; checkPoll judges the sequence it read. It records the time from the start of the
// change (write), and from its acknowledgement (acked: negative when the reader saw the
// new state before the writer's call returned, which the server allows since it queues
// the invalidation before the reply), to the first fresh read, and from the start to
// the first read of anything else than oldValue (changed).
func pollRound(t tb, rd *readerProc, w writer, ch change, write, acked, changed *latencies) {
	t.Helper()
	k := newRoundKeys()
	w.set(t, k.key, oldValue)
	rd.prime(t, k.key, oldValue)
	bound := ch.pollBound
	if bound == 0 {
		bound = commandBound
	}
	rd.send(t, fmt.Sprintf("poll %s %s %d", k.key, ch.want, bound.Milliseconds()))
	if rep := rd.next(t, replyBound); !rep.Started {
		t.Fatalf("poll did not start: %+v", rep)
	}
	start := time.Now()
	ch.apply(t, k.key)
	ack := time.Now()
	rep := rd.next(t, bound+replyBound)
	if rep.Err != "" {
		t.Fatalf("poll: %s", rep.Err)
	}
	if err := checkPoll(rep.Runs, oldValue, ch.want, ch.interim); err != nil {
		t.Fatalf("key %s: %v", k.key, err)
	}
	if rep.TimedOut {
		t.Fatalf("key %s: the reader did not read %s within %v: %s", k.key, ch.want, bound, formatRuns(rep.Runs))
	}
	if first := rep.Runs[0]; first.Value != oldValue {
		// The reader answered Started after its first Get, and the change began after that.
		t.Fatalf("key %s: the reader read %v before the change began", k.key, result{Value: first.Value, Source: first.Source})
	}
	write.add(time.Unix(0, rep.FirstWant).Sub(start))
	acked.add(time.Unix(0, rep.FirstWant).Sub(ack))
	changed.add(time.Unix(0, rep.FirstChange).Sub(start))
}

// checkPoll judges the results of a poll: each is old, want or an interim result; once
// something other than old was read, old never comes back (that would be a stale L1
// read past the invalidation); once want was read, nothing else is; and the last result
// is want.
func checkPoll(runs []run, old, want string, interim []string) error {
	if len(runs) == 0 {
		return fmt.Errorf("the reader made no Get")
	}
	left, reached := false, false
	for i, r := range runs {
		switch {
		case r.Value == old:
			if left {
				return fmt.Errorf("stale read: %s came back at run %d after the reader had moved on: %s", old, i, formatRuns(runs))
			}
		case r.Value == want:
			left, reached = true, true
		case slices.Contains(interim, r.Value):
			if reached {
				return fmt.Errorf("read %s after %s at run %d: %s", r.Value, want, i, formatRuns(runs))
			}
			left = true
		default:
			return fmt.Errorf("read %s, neither %s nor %s, at run %d: %s", r.Value, old, want, i, formatRuns(runs))
		}
	}
	if !reached {
		return fmt.Errorf("the reader never read %s: %s", want, formatRuns(runs))
	}
	return nil
}

// formatRuns renders poll runs as "v1 (l1) x120, v2 (l2) x1, v2 (l1) x49".
func formatRuns(runs []run) string {
	parts := make([]string, len(runs))
	for i, r := range runs {
		parts[i] = fmt.Sprintf("%v x%d", result{Value: r.Value, Source: r.Source}, r.N)
	}
	return strings.Join(parts, ", ")
}

// markerRound: the reader writes the marker itself and caches the key, and checks that
// both are in its L1; the writer changes the key, then writes the marker; once the
// marker left the reader's L1, one Get of the key must return the new state from the
// backend.
func markerRound(t tb, rd *readerProc, w writer, ch change) {
	t.Helper()
	k := newRoundKeys()
	w.set(t, k.key, oldValue)
	rd.do(t, "set "+k.marker+" "+markerOld)
	rd.prime(t, k.key, oldValue)
	// From here on only the writer's marker write, or a flush-all, can take the marker
	// out of the L1 (its own write does not: see TestCoherence*/own-write).
	if got := rd.get(t, k.marker); got.Value != markerOld || got.Source != "l1" {
		t.Fatalf("marker %s: right after its own Set the reader read %v, want %s (l1)", k.marker, got, markerOld)
	}
	ch.apply(t, k.key)
	w.set(t, k.marker, markerNew)
	awaitMarker(t, rd, k.marker, ch.markerAfter)
	var got result
	if slices.Contains(ch.interim, errorResult) {
		got = rd.settledGet(t, k.key) // connections are being re-established
	} else {
		got = rd.get(t, k.key)
	}
	if got.Value != ch.want || got.Source != "l2" {
		t.Fatalf("key %s: after the marker's invalidation the reader read %v, want %s from the backend: a stale read past the invalidation", k.key, got, ch.want)
	}
}

// awaitMarker waits until the reader's marker leaves its L1 and checks what it read
// then: one of after (markerNew by default). The writer's marker write was acknowledged
// before, so the backend can no longer hold markerOld.
func awaitMarker(t tb, rd *readerProc, marker string, after []string) {
	t.Helper()
	if len(after) == 0 {
		after = []string{markerNew}
	}
	rep := rd.do(t, "await-evict "+marker)
	switch a := *rep.After; {
	case a.Source == "l1":
		t.Fatalf("marker %s: the reader's L1 answered %v after %v, a value nobody wrote", marker, a, *rep.Before)
	case !slices.Contains(after, a.Value):
		t.Fatalf("marker %s: read %v once it left the L1, want one of %v", marker, a, after)
	}
}

// awaitSubscribed returns once the reader's invalidation subscription is connected.
// After a server restart it reconnects with backoff and then flushes its L1, and that
// late flush would take the next round's own write out of the L1. The probe: the reader
// writes a fresh key P and holds it in its L1, the writer writes P, and the reader waits
// until P leaves its L1. While disconnected, only the reconnection's flush removes it;
// once connected, P's invalidation does. Either way the subscription is up afterwards.
// The reader's first command on a connection the restart broke fails (rueidis notices
// the broken connection when it uses it, and its retries are off), so failed Sets are
// retried and a failed Get counts as "left the L1" (an L1 hit cannot fail).
func awaitSubscribed(t tb, rd *readerProc, w writer) {
	t.Helper()
	p := newRoundKeys().marker
	deadline := time.Now().Add(commandBound)
	for {
		rd.send(t, "set "+p+" "+markerOld)
		if rep := rd.next(t, replyBound); rep.Err == "" {
			if got := rd.get(t, p); got.Value == markerOld && got.Source == "l1" {
				break
			}
			// A flush racing the Set cancelled its L1 store: try again.
		}
		if time.Now().After(deadline) {
			t.Fatalf("probe %s: the reader's own Set never stayed in its L1", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.set(t, p, markerNew)
	awaitMarker(t, rd, p, []string{markerNew, errorResult})
}

// ownWriteRound checks that the reader's own Set stays in its L1. It must run on a
// reader that has seen no foreign write yet, so that no invalidation is in flight to it
// (ownWriteRound leaves none behind either). The fence is a fresh key F, written by the
// other process after the reader's Set and never cached by the reader: its
// invalidation is counted (InvalidationsReceived) though it evicts nothing, and it
// reaches the reader after any echo of the reader's Set (same connection, later
// event-loop iteration: see the package documentation). An echo without the reader's
// origin would be counted too, and would evict the entry.
func ownWriteRound(t tb, rd *readerProc, w writer) {
	t.Helper()
	k := newRoundKeys() // k.marker serves as F
	before := rd.do(t, "stats").Invalidations
	rd.do(t, "set "+k.key+" own")
	if got := rd.get(t, k.key); got.Value != "own" || got.Source != "l1" {
		t.Fatalf("key %s: right after its own Set the reader read %v, want own (l1)", k.key, got)
	}
	w.set(t, k.marker, "fence")
	rd.do(t, fmt.Sprintf("await-inv %d", before+1))
	if got := rd.get(t, k.key); got.Value != "own" || got.Source != "l1" {
		t.Fatalf("key %s: after the echo window the reader read %v, want own (l1): its own write was evicted", k.key, got)
	}
	if after := rd.do(t, "stats").Invalidations; after != before+1 {
		t.Fatalf("key %s: the reader applied %d invalidations, want 1 (the fence's): its own Set came back without its origin", k.key, after-before)
	}
}

// latencies collects durations measured in one scenario.
type latencies struct {
	d []time.Duration
}

func (l *latencies) add(d time.Duration) { l.d = append(l.d, d) }

// summary returns the count, median and maximum.
func (l *latencies) summary() (n int, median, maximum time.Duration) {
	if len(l.d) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return len(s), s[len(s)/2], s[len(s)-1]
}

// log reports the figures in the test's output; they are never asserted.
func (l *latencies) log(t *testing.T, what string) {
	t.Helper()
	n, median, maximum := l.summary()
	t.Logf("latency %s, %s: n=%d median=%v max=%v", t.Name(), what, n, median.Round(time.Microsecond), maximum.Round(time.Microsecond))
}
