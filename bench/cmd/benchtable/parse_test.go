package main

import (
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		wantName string
		want     map[string]float64
		wantOK   bool
	}{
		{
			name:     "go test line with GOMAXPROCS suffix",
			line:     "BenchmarkRedis/op=get/par=8/impl=go-redis-2   \t   17079\t     22077 ns/op\t    1368 B/op\t       7 allocs/op",
			wantName: "BenchmarkRedis/op=get/par=8/impl=go-redis",
			want:     map[string]float64{"ns/op": 22077, "B/op": 1368, "allocs/op": 7},
			wantOK:   true,
		},
		{
			name:     "variant whose name ends in letters keeps them",
			line:     "BenchmarkRedis/op=get/par=1/impl=cachekit-l1-8 100 726.2 ns/op",
			wantName: "BenchmarkRedis/op=get/par=1/impl=cachekit-l1",
			want:     map[string]float64{"ns/op": 726.2},
			wantOK:   true,
		},
		{
			name:     "GOMAXPROCS 1 has no suffix",
			line:     "BenchmarkL1Get/value=struct/par=1/impl=otter 1000 201.7 ns/op",
			wantName: "BenchmarkL1Get/value=struct/par=1/impl=otter",
			want:     map[string]float64{"ns/op": 201.7},
			wantOK:   true,
		},
		{
			name:     "ceiling line with a custom unit",
			line:     "BenchmarkRedisCeiling/op=set/par=50x16/impl=redis-benchmark\t200000\t1380.00 ns/op\t724638 ops/s",
			wantName: "BenchmarkRedisCeiling/op=set/par=50x16/impl=redis-benchmark",
			want:     map[string]float64{"ns/op": 1380, "ops/s": 724638},
			wantOK:   true,
		},
		{name: "header", line: "goos: linux"},
		{name: "pass", line: "PASS"},
		{name: "name only, as printed before a slow result", line: "BenchmarkRedis/op=get/par=1/impl=cachekit-2"},
		{name: "iterations not a number", line: "BenchmarkX 12x 5 ns/op"},
		{name: "value not a number", line: "BenchmarkX 12 five ns/op"},
		{name: "value without unit", line: "BenchmarkX 12 5 ns/op 7"},
		{name: "log line starting like a benchmark", line: "Benchmarks ran on a busy machine today"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, got, ok := parseLine(tt.line)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if name != tt.wantName {
				t.Errorf("name = %q, want %q", name, tt.wantName)
			}
			if len(got) != len(tt.want) {
				t.Errorf("measures = %v, want %v", got, tt.want)
			}
			for unit, v := range tt.want {
				if got[unit] != v {
					t.Errorf("%s = %v, want %v", unit, got[unit], v)
				}
			}
		})
	}
}

func TestReadPoolsSamplesInFirstSeenOrder(t *testing.T) {
	input := strings.Join([]string{
		"goos: linux",
		"BenchmarkB/impl=x-2 10 300 ns/op",
		"BenchmarkA/impl=x-2 10 100 ns/op",
		"BenchmarkB/impl=x-2 10 200 ns/op",
		"ok  \tgithub.com/cachekit-io/cachekit-go/bench\t1.0s",
	}, "\n")
	s := newSamples()
	if err := s.read(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(s.names, ","), "BenchmarkB/impl=x,BenchmarkA/impl=x"; got != want {
		t.Errorf("names = %s, want %s", got, want)
	}
	if got := s.values["BenchmarkB/impl=x"]["ns/op"]; len(got) != 2 || got[0] != 300 || got[1] != 200 {
		t.Errorf("BenchmarkB ns/op samples = %v, want [300 200]", got)
	}
}
