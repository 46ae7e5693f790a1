package main

import (
	"math"
	"testing"
)

func TestMedianAndSpread(t *testing.T) {
	tests := []struct {
		name       string
		xs         []float64
		med, sprd  float64
		nanResults bool
	}{
		{name: "none", xs: nil, nanResults: true},
		{name: "one", xs: []float64{7}, med: 7, sprd: 0},
		{name: "odd count, unsorted", xs: []float64{9, 1, 5}, med: 5, sprd: 80},                     // |1-5|/5
		{name: "even count averages the middle two", xs: []float64{4, 1, 3, 2}, med: 2.5, sprd: 60}, // |1-2.5|/2.5
		{name: "all zero has no relative spread", xs: []float64{0, 0}, med: 0, sprd: math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, s := median(tt.xs), spread(tt.xs)
			if tt.nanResults {
				if !math.IsNaN(m) || !math.IsNaN(s) {
					t.Fatalf("median, spread = %v, %v; want NaN, NaN", m, s)
				}
				return
			}
			if m != tt.med {
				t.Errorf("median = %v, want %v", m, tt.med)
			}
			if math.IsNaN(tt.sprd) != math.IsNaN(s) || (!math.IsNaN(s) && math.Abs(s-tt.sprd) > 1e-9) {
				t.Errorf("spread = %v, want %v", s, tt.sprd)
			}
		})
	}
}

func TestMedianLeavesInputUnsorted(t *testing.T) {
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("median reordered its input: %v", xs)
	}
}
