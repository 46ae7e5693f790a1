package testserver

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestOutputBufferConcurrentUse writes from several goroutines while reading, which
// the race detector checks, and then finds every write whole in the result.
func TestOutputBufferConcurrentUse(t *testing.T) {
	var out OutputBuffer
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				fmt.Fprintf(&out, "<%d:%d>", w, i)
				_ = out.String()
			}
		})
	}
	wg.Wait()
	got := out.String()
	for w := range 4 {
		for i := range 100 {
			if line := fmt.Sprintf("<%d:%d>", w, i); strings.Count(got, line) != 1 {
				t.Fatalf("write %s appears %d times in the output", line, strings.Count(got, line))
			}
		}
	}
	if want := 4 * 100; strings.Count(got, "<") != want {
		t.Fatalf("%d writes in the output, want %d", strings.Count(got, "<"), want)
	}
}
