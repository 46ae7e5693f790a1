package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// isTerminal reports whether f is a character device, such as a terminal. (A
// redirection to /dev/null counts too, which is harmless for progress output.)
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows that a slow step is under way, on standard error: an animated
// spinner with a counter on a terminal, a line of dots otherwise, nothing when quiet.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	tick  time.Duration // spinner frame interval; zero means 100 ms
}

// task is one step in progress. advance and done are called by the goroutine running
// the step.
type task struct {
	p       *progress
	msg     string
	total   int
	count   atomic.Int64
	start   time.Time
	stop    chan struct{}
	stopped sync.WaitGroup
}

// spinnerFrames are ASCII, so every terminal font has them.
const spinnerFrames = `|/-\`

// start begins a step of total units of work.
func (p *progress) start(msg string, total int) *task {
	t := &task{p: p, msg: msg, total: total, start: time.Now()}
	switch {
	case p.quiet:
	case p.tty:
		tick := p.tick
		if tick <= 0 {
			tick = 100 * time.Millisecond
		}
		t.stop = make(chan struct{})
		t.stopped.Add(1)
		go t.spin(tick)
	default:
		fmt.Fprintf(p.w, "%s ", msg)
	}
	return t
}

// spin redraws the spinner line until done.
func (t *task) spin(tick time.Duration) {
	defer t.stopped.Done()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for frame := 0; ; frame++ {
		fmt.Fprintf(t.p.w, "\r%c %s %d/%d", spinnerFrames[frame%len(spinnerFrames)], t.msg, t.count.Load(), t.total)
		select {
		case <-t.stop:
			fmt.Fprint(t.p.w, "\r\033[K") // erase the line: the result is printed on stdout
			return
		case <-ticker.C:
		}
	}
}

// advance records one unit of work done.
func (t *task) advance() {
	t.count.Add(1)
	if !t.p.quiet && !t.p.tty {
		fmt.Fprint(t.p.w, ".")
	}
}

// done ends the step, stopping the spinner before it returns.
func (t *task) done() {
	switch {
	case t.p.quiet:
	case t.p.tty:
		close(t.stop)
		t.stopped.Wait()
	default:
		fmt.Fprintf(t.p.w, " done in %s\n", fmtLatency(time.Since(t.start)))
	}
}
