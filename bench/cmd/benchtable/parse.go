package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// procsSuffix is the "-N" go test appends to a benchmark name when GOMAXPROCS > 1.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// samples holds every value measured for each benchmark, by unit, in the order the
// benchmarks first appeared.
type samples struct {
	names  []string
	values map[string]map[string][]float64
}

func newSamples() *samples {
	return &samples{values: map[string]map[string][]float64{}}
}

// parseLine reads one go test benchmark result line:
//
//	BenchmarkName-2   1000   1234 ns/op   56 B/op   7 allocs/op
//
// It returns the name without the GOMAXPROCS suffix and the measures by unit; ok is
// false for any other line.
func parseLine(line string) (name string, measures map[string]float64, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
		return "", nil, false
	}
	if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
		return "", nil, false
	}
	measures = make(map[string]float64, (len(fields)-2)/2)
	for i := 2; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return "", nil, false
		}
		measures[fields[i+1]] = v
	}
	return procsSuffix.ReplaceAllString(fields[0], ""), measures, true
}

// read adds every benchmark result line of r.
func (s *samples) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, measures, ok := parseLine(sc.Text())
		if !ok {
			continue
		}
		byUnit, seen := s.values[name]
		if !seen {
			byUnit = map[string][]float64{}
			s.values[name] = byUnit
			s.names = append(s.names, name)
		}
		for unit, v := range measures {
			byUnit[unit] = append(byUnit[unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("benchtable: reading results: %w", err)
	}
	return nil
}
