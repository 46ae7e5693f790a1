package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"text/tabwriter"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend"
)

// tier is where a read was answered.
type tier int

const (
	tierMiss tier = iota // no entry: the loader ran
	tierL2               // the backend, after an L1 miss
	tierL1               // the in-process L1
	tierCount
)

var tierNames = [tierCount]string{"miss (loader)", "L2 hit", "L1 hit"}

// profile is the demo's cached value.
type profile struct {
	ID    int    `msgpack:"id"`
	Name  string `msgpack:"name"`
	Email string `msgpack:"email"`
	Plan  string `msgpack:"plan"`
}

// slowLoader simulates the expensive call a cache exists to avoid.
type slowLoader struct {
	delay time.Duration
	runs  atomic.Int64
}

// fetchUserProfile takes l.delay, as a database query would, and honours ctx.
func (l *slowLoader) fetchUserProfile(ctx context.Context, id int) (profile, error) {
	l.runs.Add(1)
	t := time.NewTimer(l.delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return profile{}, ctx.Err()
	case <-t.C:
	}
	return profile{ID: id, Name: fmt.Sprintf("User %d", id), Email: fmt.Sprintf("user%d@example.com", id), Plan: "pro"}, nil
}

// readProfile is the cache-aside read every application writes: the cache first, the
// loader on a miss, and the loaded value stored for the next reader.
func readProfile(ctx context.Context, c *cachekit.Client, l *slowLoader, id int) (profile, error) {
	key := fmt.Sprintf("user:%d:profile", id)
	p, found, err := cachekit.Get[profile](ctx, c, key)
	if err != nil || found {
		return p, err
	}
	if p, err = l.fetchUserProfile(ctx, id); err != nil {
		return p, err
	}
	return p, c.Set(ctx, key, p, cachekit.WithTTL(10*time.Minute))
}

// stepCounts are the Stats deltas of one step of the demo.
type stepCounts struct {
	reads                  int
	l1Hits, l2Hits, misses uint64
	loaderRuns             int64
}

// timedRead reads profile id through c, measures it, and files the latency under the
// tier c's statistics say answered it.
func timedRead(ctx context.Context, c *cachekit.Client, l *slowLoader, id int, res *demoResult, step *stepCounts) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	before, runsBefore := c.Stats(), l.runs.Load()
	start := time.Now()
	p, err := readProfile(ctx, c, l, id)
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	if p.ID != id {
		return fmt.Errorf("cachekit demo: read profile %d, got profile %d", id, p.ID)
	}
	after := c.Stats()
	d := stepCounts{
		reads:      1,
		l1Hits:     after.L1Hits - before.L1Hits,
		l2Hits:     after.L2Hits - before.L2Hits,
		misses:     after.Misses - before.Misses,
		loaderRuns: l.runs.Load() - runsBefore,
	}
	var t tier
	switch {
	case d.l1Hits == 1 && d.l2Hits == 0 && d.misses == 0:
		t = tierL1
	case d.l2Hits == 1 && d.l1Hits == 0 && d.misses == 0:
		t = tierL2
	case d.misses == 1 && d.l1Hits == 0 && d.l2Hits == 0:
		t = tierMiss
	default:
		return errDemoCounts
	}
	res.tiers[t] = append(res.tiers[t], elapsed)
	res.stats[t].L1Hits += d.l1Hits
	res.stats[t].L2Hits += d.l2Hits
	res.stats[t].Misses += d.misses
	step.reads++
	step.l1Hits += d.l1Hits
	step.l2Hits += d.l2Hits
	step.misses += d.misses
	step.loaderRuns += d.loaderRuns
	return nil
}

// demoCaching is section 1: misses, L2 hits with backfill, L1 hits.
func demoCaching(ctx context.Context, cfg *demoConfig, b backend.Backend, out io.Writer, prog *progress, res *demoResult) error {
	loader := &slowLoader{delay: cfg.delay}
	fmt.Fprintln(out, "1. A slow loader behind the cache")
	fmt.Fprintf(out, "   fetchUserProfile takes %s, like a database query. Each read asks the L1 (in process),\n", cfg.delay)
	fmt.Fprintln(out, "   then the L2 (the backend every process shares), then calls the loader and stores its result.")
	fmt.Fprintln(out)

	// Step 1: the first process starts cold; every profile is a miss.
	app1, err := newDemoClient(b, "")
	if err != nil {
		return err
	}
	defer app1.Close()
	var cold stepCounts
	task := prog.start(fmt.Sprintf("loading %d profiles through the %s loader", cfg.users, cfg.delay), cfg.users)
	for id := 1; id <= cfg.users; id++ {
		if err := timedRead(ctx, app1, loader, id, res, &cold); err != nil {
			task.done()
			return err
		}
		task.advance()
	}
	task.done()

	// Step 2: a second process (app-2) starts cold, again and again: its reads find the
	// profiles in the shared L2, and each hit is backfilled into its own L1.
	var replica *cachekit.Client
	defer func() {
		if replica != nil {
			_ = replica.Close()
		}
	}()
	var shared stepCounts
	warmProfiles := 0
	for i := 0; i < cfg.reads; i++ {
		if i%cfg.users == 0 {
			if replica != nil {
				_ = replica.Close()
			}
			if replica, err = newDemoClient(b, ""); err != nil {
				return err
			}
			res.coldStarts++
			warmProfiles = 0
		}
		if err := timedRead(ctx, replica, loader, i%cfg.users+1, res, &shared); err != nil {
			return err
		}
		warmProfiles++
	}
	backfilled := replica.Stats().L1Entries
	res.l1BackfillOK = backfilled == warmProfiles

	// Step 3: the last app-2 is warm: the same profiles come from its L1.
	var warm stepCounts
	for i := 0; i < cfg.reads; i++ {
		if err := timedRead(ctx, replica, loader, i%warmProfiles+1, res, &warm); err != nil {
			return err
		}
	}
	res.lastReplica = replica.Stats()
	res.loaderRuns = loader.runs.Load()

	fmt.Fprintf(out, "   %-34s %7s %9s %9s %8s %12s\n", "step", "reads", "L1 hits", "L2 hits", "misses", "loader runs")
	rows := []struct {
		label string
		c     stepCounts
	}{
		{"app-1 starts cold", cold},
		{fmt.Sprintf("app-2 starts cold, %d times", res.coldStarts), shared},
		{"app-2 again, warm", warm},
	}
	for _, r := range rows {
		fmt.Fprintf(out, "   %-34s %7d %9d %9d %8d %12d\n", r.label, r.c.reads, r.c.l1Hits, r.c.l2Hits, r.c.misses, r.c.loaderRuns)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "   Backfill: after its first reads app-2's L1 held %d entries: every L2 hit is copied into\n", backfilled)
	fmt.Fprintf(out, "   the L1 for min(DefaultTTL, %s), so the next read never leaves the process.\n", cachekit.DefaultL1BackfillTTL)
	fmt.Fprintf(out, "   the last app-2's Stats(): L1Hits=%d L2Hits=%d Misses=%d L1Entries=%d\n",
		res.lastReplica.L1Hits, res.lastReplica.L2Hits, res.lastReplica.Misses, res.lastReplica.L1Entries)
	fmt.Fprintln(out)

	fmt.Fprintf(out, "   %-34s %7s %9s %9s %9s %9s\n", "latency, measured per read", "reads", "p50", "p90", "p99", "max")
	var sums [tierCount]summary
	for t := range tierCount {
		s := res.tiers[t].summarize()
		sums[t] = s
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(out, "   %-34s %7d %9s %9s %9s %9s\n", tierNames[t], s.n, fmtLatency(s.p50), fmtLatency(s.p90), fmtLatency(s.p99), fmtLatency(s.max))
	}
	if miss := sums[tierMiss].p50; miss > 0 && sums[tierL1].p50 > 0 && sums[tierL2].p50 > 0 {
		fmt.Fprintf(out, "\n   At the median an L2 hit is %s faster than the loader, an L1 hit %s faster.\n",
			ratio(miss, sums[tierL2].p50), ratio(miss, sums[tierL1].p50))
	}
	return nil
}

// ratio says how many times a is b, rounded to a readable figure.
func ratio(a, b time.Duration) string {
	r := float64(a) / float64(b)
	if r < 10 {
		return fmt.Sprintf("%.1fx", r)
	}
	// Two significant digits: the measurement is not more precise than that.
	scale := math.Pow(10, math.Floor(math.Log10(r))-1)
	return fmt.Sprintf("%.0fx", math.Round(r/scale)*scale)
}

// newTable returns a tab writer for aligned two-column output.
func newTable(out io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
}
