package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// baselineImpl is the implementation every other row is compared with.
const baselineImpl = "cachekit"

// ceilingBench names the redis-benchmark lines written by redis-ceiling.sh, and
// ceilingOf the benchmark whose cachekit rows they bound.
const (
	ceilingBench = "BenchmarkRedisCeiling"
	ceilingOf    = "BenchmarkRedis"
)

// row is one implementation's medians in one case.
type row struct {
	impl        string
	n           int     // samples of ns/op
	nsPerOp     float64 // median
	spreadPct   float64 // of ns/op around its median
	opsPerSec   float64
	bytesPerOp  float64 // NaN when not measured
	allocsPerOp float64 // NaN when not measured
}

// benchCase is one benchmark case: a name without its impl= element, and its rows.
type benchCase struct {
	label string            // the name's other elements, space-separated ("op=get par=8")
	keys  map[string]string // those elements as key=value pairs
	rows  []row
}

// section is the cases of one top-level benchmark, in the order they appeared.
type section struct {
	bench string
	cases []*benchCase
}

// build groups the samples into sections and cases.
func build(s *samples) []section {
	var sections []section
	index := map[string]int{}
	caseIndex := map[string]*benchCase{}
	for _, name := range s.names {
		parts := strings.Split(name, "/")
		bench, impl := parts[0], ""
		var other []string
		keys := map[string]string{}
		for _, p := range parts[1:] {
			k, v, hasValue := strings.Cut(p, "=")
			if hasValue && k == "impl" {
				impl = v
				continue
			}
			other = append(other, p)
			if hasValue {
				keys[k] = v
			}
		}
		si, ok := index[bench]
		if !ok {
			si = len(sections)
			index[bench] = si
			sections = append(sections, section{bench: bench})
		}
		label := strings.Join(other, " ")
		c, ok := caseIndex[bench+"\x00"+label]
		if !ok {
			c = &benchCase{label: label, keys: keys}
			caseIndex[bench+"\x00"+label] = c
			sections[si].cases = append(sections[si].cases, c)
		}
		c.rows = append(c.rows, newRow(impl, s.values[name]))
	}
	return sections
}

func newRow(impl string, byUnit map[string][]float64) row {
	r := row{
		impl:        impl,
		n:           len(byUnit["ns/op"]),
		nsPerOp:     median(byUnit["ns/op"]),
		spreadPct:   spread(byUnit["ns/op"]),
		bytesPerOp:  median(byUnit["B/op"]),
		allocsPerOp: median(byUnit["allocs/op"]),
	}
	if ops, ok := byUnit["ops/s"]; ok {
		r.opsPerSec = median(ops)
	} else if r.nsPerOp > 0 {
		r.opsPerSec = 1e9 / r.nsPerOp
	}
	return r
}

// row returns the case's row of impl.
func (c *benchCase) row(impl string) (row, bool) {
	for _, r := range c.rows {
		if r.impl == impl {
			return r, true
		}
	}
	return row{}, false
}

// ratio returns cachekit's ops/s divided by r's, and false when the case has no
// cachekit row or r is that row or a cachekit-* variant (renderVariants compares those).
func (c *benchCase) ratio(r row) (float64, bool) {
	base, ok := c.row(baselineImpl)
	if !ok || isBaseline(r.impl) || r.opsPerSec <= 0 || base.opsPerSec <= 0 {
		return 0, false
	}
	return base.opsPerSec / r.opsPerSec, true
}

// isBaseline reports whether impl is cachekit or one of its variants (cachekit-l1).
func isBaseline(impl string) bool {
	return impl == baselineImpl || strings.HasPrefix(impl, baselineImpl+"-")
}

// render writes one Markdown table per section, then the ceiling and L1 comparisons.
func render(w io.Writer, sections []section) {
	for _, sec := range sections {
		if sec.bench == ceilingBench {
			continue
		}
		fmt.Fprintf(w, "### %s\n\n", sec.bench)
		fmt.Fprintln(w, "| case | impl | ns/op | ± | ops/s | B/op | allocs/op | cachekit ÷ impl (ops/s) |")
		fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
		for _, c := range sec.cases {
			for _, r := range c.rows {
				ratio := ""
				if q, ok := c.ratio(r); ok {
					ratio = fmt.Sprintf("%.2f", q)
				} else if r.impl == baselineImpl {
					ratio = "baseline"
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
					c.label, r.impl, formatNs(r.nsPerOp), formatPct(r.spreadPct), formatCount(r.opsPerSec),
					formatCount(r.bytesPerOp), formatCount(r.allocsPerOp), ratio)
			}
		}
		fmt.Fprintln(w)
		renderVariants(w, sec)
	}
	renderCeiling(w, sections)
}

// renderVariants lists how each cachekit-* variant (cachekit-l1) compares with plain
// cachekit in the same case.
func renderVariants(w io.Writer, sec section) {
	var lines []string
	for _, c := range sec.cases {
		base, ok := c.row(baselineImpl)
		if !ok || base.opsPerSec <= 0 {
			continue
		}
		for _, r := range c.rows {
			if strings.HasPrefix(r.impl, baselineImpl+"-") && r.opsPerSec > 0 {
				lines = append(lines, fmt.Sprintf("- %s: %s does %.1fx the ops/s of %s", c.label, r.impl, r.opsPerSec/base.opsPerSec, baselineImpl))
			}
		}
	}
	if len(lines) > 0 {
		fmt.Fprintln(w, strings.Join(lines, "\n"))
		fmt.Fprintln(w)
	}
}

// renderCeiling compares every cachekit row of ceilingOf with the redis-benchmark
// figure of the same op.
func renderCeiling(w io.Writer, sections []section) {
	var ceiling, bounded *section
	for i := range sections {
		switch sections[i].bench {
		case ceilingBench:
			ceiling = &sections[i]
		case ceilingOf:
			bounded = &sections[i]
		}
	}
	if ceiling == nil {
		return
	}
	fmt.Fprintf(w, "### Redis ceiling (redis-benchmark -P 16 -d 1024, same server)\n\n")
	fmt.Fprintln(w, "| op | redis-benchmark ops/s | cachekit par | cachekit ops/s | cachekit ÷ ceiling |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, cc := range ceiling.cases {
		if len(cc.rows) == 0 {
			continue
		}
		top := cc.rows[0]
		op := cc.keys["op"]
		matched := false
		if bounded != nil {
			for _, c := range bounded.cases {
				r, ok := c.row(baselineImpl)
				if !ok || c.keys["op"] != op || top.opsPerSec <= 0 {
					continue
				}
				matched = true
				fmt.Fprintf(w, "| %s | %s | %s | %s | %.1f%% |\n", op, formatCount(top.opsPerSec), c.keys["par"],
					formatCount(r.opsPerSec), 100*r.opsPerSec/top.opsPerSec)
			}
		}
		if !matched {
			fmt.Fprintf(w, "| %s | %s | | | |\n", op, formatCount(top.opsPerSec))
		}
	}
	fmt.Fprintln(w)
}

// formatNs prints a duration in ns with three significant digits at most.
func formatNs(v float64) string {
	switch {
	case math.IsNaN(v):
		return ""
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return formatCount(v)
}

// formatPct prints a spread as "±N%".
func formatPct(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return fmt.Sprintf("±%.0f%%", v)
}

// formatCount prints v rounded to an integer with thousands separators.
func formatCount(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
