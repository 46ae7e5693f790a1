package testserver

import (
	"bytes"
	"sync"
)

// OutputBuffer collects what a program under test writes (a child process's stdout or
// stderr, a server's log, a progress display's goroutine) while the test reads it: a
// bytes.Buffer whose Write and String may be called from different goroutines at once.
// The zero value is an empty buffer ready to use.
type OutputBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer; it never fails.
func (b *OutputBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *OutputBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
