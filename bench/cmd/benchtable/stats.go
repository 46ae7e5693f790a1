package main

import (
	"math"
	"slices"
)

// median returns the median of xs, or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spread returns the largest distance of a sample from the median, as a percentage of
// the median: 0 for one sample, NaN for none.
func spread(xs []float64) float64 {
	m := median(xs)
	if math.IsNaN(m) || m == 0 {
		return math.NaN()
	}
	var d float64
	for _, x := range xs {
		d = max(d, math.Abs(x-m))
	}
	return 100 * d / m
}
