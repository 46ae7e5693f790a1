package main

import (
	"bytes"
	"strings"
	"testing"
)

// tableInput is a small run whose expected figures are worked out by hand in the tests.
const tableInput = `
BenchmarkRedis/op=get/par=8/impl=cachekit-2 	 1000	 10000 ns/op	 2608 B/op	 9 allocs/op
BenchmarkRedis/op=get/par=8/impl=cachekit-2 	 1000	 12000 ns/op	 2608 B/op	 9 allocs/op
BenchmarkRedis/op=get/par=8/impl=cachekit-2 	 1000	 11000 ns/op	 2608 B/op	 9 allocs/op
BenchmarkRedis/op=get/par=8/impl=cachekit-l1-2 	 1000	 250 ns/op	 1048 B/op	 2 allocs/op
BenchmarkRedis/op=get/par=8/impl=go-redis-2 	 1000	 22000 ns/op	 1368 B/op	 7 allocs/op
BenchmarkRedis/op=get/par=8/impl=rueidis-2 	 1000	 5500 ns/op	 1024 B/op	 1 allocs/op
BenchmarkMemcached/op=set/par=1/impl=gomemcache-2 	 1000	 60000 ns/op	 112 B/op	 5 allocs/op
BenchmarkRedisCeiling/op=get/par=50x16/impl=redis-benchmark	200000	1000.00 ns/op	909091 ops/s
`

func buildFrom(t *testing.T, input string) []section {
	t.Helper()
	s := newSamples()
	if err := s.read(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	return build(s)
}

func TestBuildRatios(t *testing.T) {
	sections := buildFrom(t, tableInput)
	if len(sections) != 3 {
		t.Fatalf("%d sections, want 3 (Redis, Memcached, ceiling)", len(sections))
	}
	redis := sections[0]
	if redis.bench != "BenchmarkRedis" || len(redis.cases) != 1 {
		t.Fatalf("first section = %s with %d cases, want BenchmarkRedis with 1", redis.bench, len(redis.cases))
	}
	c := redis.cases[0]
	if c.label != "op=get par=8" || c.keys["op"] != "get" || c.keys["par"] != "8" {
		t.Errorf("case = %q %v", c.label, c.keys)
	}
	// cachekit's median is 11000 ns/op: 1e9/11000 ops/s.
	tests := []struct {
		impl      string
		ratio     float64
		wantRatio bool
	}{
		{impl: "cachekit", wantRatio: false},
		{impl: "cachekit-l1", wantRatio: false},
		{impl: "go-redis", ratio: 22000.0 / 11000, wantRatio: true},
		{impl: "rueidis", ratio: 5500.0 / 11000, wantRatio: true},
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			r, ok := c.row(tt.impl)
			if !ok {
				t.Fatal("row missing")
			}
			q, ok := c.ratio(r)
			if ok != tt.wantRatio {
				t.Fatalf("has ratio = %v, want %v", ok, tt.wantRatio)
			}
			if ok && (q < tt.ratio*0.999999 || q > tt.ratio*1.000001) {
				t.Errorf("ratio = %v, want %v", q, tt.ratio)
			}
		})
	}
	ck, _ := c.row("cachekit")
	if ck.n != 3 || ck.nsPerOp != 11000 || ck.allocsPerOp != 9 {
		t.Errorf("cachekit row = %+v, want 3 samples, median 11000 ns/op, 9 allocs/op", ck)
	}
	if _, ok := sections[1].cases[0].ratio(sections[1].cases[0].rows[0]); ok {
		t.Error("a case without a cachekit row has a ratio")
	}
	ceiling, _ := sections[2].cases[0].row("redis-benchmark")
	if ceiling.opsPerSec != 909091 {
		t.Errorf("ceiling ops/s = %v, want redis-benchmark's own 909091", ceiling.opsPerSec)
	}
}

func TestRender(t *testing.T) {
	var out bytes.Buffer
	render(&out, buildFrom(t, tableInput))
	text := out.String()
	for _, want := range []string{
		"### BenchmarkRedis\n",
		"| op=get par=8 | cachekit | 11,000 | ±9% | 90,909 | 2,608 | 9 | baseline |",
		"| op=get par=8 | cachekit-l1 | 250 | ±0% | 4,000,000 | 1,048 | 2 |  |",
		"| op=get par=8 | go-redis | 22,000 | ±0% | 45,455 | 1,368 | 7 | 2.00 |",
		"| op=get par=8 | rueidis | 5,500 | ±0% | 181,818 | 1,024 | 1 | 0.50 |",
		"- op=get par=8: cachekit-l1 does 44.0x the ops/s of cachekit",
		"| op=set par=1 | gomemcache | 60,000 | ±0% | 16,667 | 112 | 5 |  |",
		// 90909 / 909091 = 10.0 %
		"| get | 909,091 | 8 | 90,909 | 10.0% |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q\n%s", want, text)
		}
	}
	if strings.Contains(text, "### BenchmarkRedisCeiling") {
		t.Error("the ceiling got a table of its own as well as its comparison")
	}
}

func TestFormatCount(t *testing.T) {
	tests := map[float64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567.6: "1,234,568", -45000: "-45,000"}
	for v, want := range tests {
		if got := formatCount(v); got != want {
			t.Errorf("formatCount(%v) = %q, want %q", v, got, want)
		}
	}
}
