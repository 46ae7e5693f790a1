package backendtest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUniqueKey(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		k := UniqueKey(t)
		if seen[k] {
			t.Fatalf("UniqueKey returned %q twice", k)
		}
		seen[k] = true
	}
	tests := []struct {
		name string
	}{
		{"plain"},
		{"spaces and ünïcödé\tand\x00control"},
		{strings.Repeat("long name ", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := UniqueKey(t)
			if len(k) > 150 {
				t.Errorf("UniqueKey = %d bytes, want at most 150 so suffixes stay under memcached's 250", len(k))
			}
			for i := 0; i < len(k); i++ {
				c := k[i]
				ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/_-.", c) >= 0
				if !ok {
					t.Fatalf("UniqueKey = %q: byte %q at %d is not safe for every backend", k, c, i)
				}
			}
			if !strings.HasPrefix(k, "TestUniqueKey/") && len(t.Name()) <= maxNamePart {
				t.Errorf("UniqueKey = %q, want it to start with the test name", k)
			}
		})
	}
}

func TestEventually(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cond     func(calls int) (bool, error)
		wantFail bool
	}{
		{"true at once", func(int) (bool, error) { return true, nil }, false},
		{"true on the third poll", func(n int) (bool, error) { return n >= 3, nil }, false},
		{"never true", func(int) (bool, error) { return false, nil }, true},
		{"error", func(int) (bool, error) { return false, errors.New("boom") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTB{TB: t}
			calls := 0
			runOn(rec, check{run: func(tb testing.TB, _ env) {
				Eventually(tb, 200*time.Millisecond, "the condition", func() (bool, error) {
					calls++
					return tt.cond(calls)
				})
			}}, env{})
			if rec.Failed() != tt.wantFail {
				t.Fatalf("Eventually failed = %v, want %v; log:\n%s", rec.Failed(), tt.wantFail, rec.report())
			}
		})
	}
}
