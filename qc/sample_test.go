package qc

import (
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestRowSampleKeepsEverythingWhenSmall(t *testing.T) {
	s := NewRowSample(10, 2)
	for g := 0; g < 7; g++ {
		v := float64(g)
		if g == 3 {
			v = math.NaN()
		}
		s.Offer(fmt.Sprint("g", g), []float64{-1, v, 10 + float64(g)}, []int{1, 2})
	}
	if s.Len() != 7 {
		t.Fatalf("Len = %d, want 7", s.Len())
	}
	a := s.Column(nil, 0)
	slices.Sort(a)
	if want := []float64{0, 1, 2, 4, 5, 6}; !slices.Equal(a, want) {
		t.Errorf("column 0 = %v, want %v (NaN dropped)", a, want)
	}
}

func TestRowSampleIsBoundedAndOrderFree(t *testing.T) {
	const rows, k = 5000, 300
	build := func(order []int) *RowSample {
		s := NewRowSample(k, 1)
		for _, g := range order {
			s.Offer(fmt.Sprintf("ENSG%06d", g), []float64{float64(g)}, []int{0})
		}
		return s
	}
	fwd := make([]int, rows)
	for i := range fwd {
		fwd[i] = i
	}
	rev := slices.Clone(fwd)
	slices.Reverse(rev)
	a, b := build(fwd), build(rev)
	if a.Len() != k {
		t.Fatalf("Len = %d, want %d", a.Len(), k)
	}
	ca, cb := a.Column(nil, 0), b.Column(nil, 0)
	slices.Sort(ca)
	slices.Sort(cb)
	if !slices.Equal(ca, cb) {
		t.Error("the kept rows depend on row order")
	}
	// The sample is spread over the matrix, not its first rows.
	if ca[len(ca)-1] < rows/2 {
		t.Errorf("largest kept row %v: the sample is not spread", ca[len(ca)-1])
	}
}

func TestWorstKSEqualsScipyOnPool(t *testing.T) {
	names := []string{"a", "b", "c"}
	samples := [][]float64{{1, 2, 3, 4, 5}, {1.5, 2.5, 3.5, 4.5, 5.5}, {10, 11, 12, 13, 14}}
	r, ok := WorstKS(names, samples)
	if !ok {
		t.Fatal("no result")
	}
	var pool []float64
	for _, s := range samples {
		pool = append(pool, s...)
	}
	d, p := KS2Samp(samples[2], pool)
	if r.Sample != "c" || r.D != d || r.P != p || r.Values != 5 || r.Pool != 15 {
		t.Errorf("WorstKS = %+v, want c with KS2Samp(c, pool) = (%v, %v)", r, d, p)
	}
	if _, ok := WorstKS([]string{"a", "b"}, [][]float64{{1, 2}, nil}); ok {
		t.Error("one sample with values gave a result")
	}
}

func TestFNV1aIsHashFNV(t *testing.T) {
	for _, s := range []string{"", "a", "ENSG00000141510", "AFFX-BioB-5_at"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got := fnv1a(s); got != h.Sum64() {
			t.Errorf("fnv1a(%q) = %x, hash/fnv says %x", s, got, h.Sum64())
		}
	}
}

func TestTakeColumnHandsTheColumnOver(t *testing.T) {
	s := NewRowSample(10, 2)
	for g := 0; g < 6; g++ {
		v := float64(g)
		if g == 2 {
			v = math.NaN()
		}
		s.Offer(fmt.Sprint("g", g), []float64{v, -v}, []int{0, 1})
	}
	want := s.Column(nil, 1)
	if got := s.TakeColumn(1); !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("TakeColumn(1) = %v, want %v", got, want)
	}
	if got := s.TakeColumn(1); len(got) != 0 {
		t.Errorf("a column taken twice: %v", got)
	}
	a := s.Column(nil, 0)
	b := []float64{4, 0, 1, 3, 5}
	r1, _ := WorstKS([]string{"a", "b"}, [][]float64{a, b})
	r2, _ := WorstKSInPlace([]string{"a", "b"}, [][]float64{a, b})
	if !reflect.DeepEqual(r1, r2) || !slices.IsSorted(a) {
		t.Errorf("WorstKSInPlace %+v, WorstKS %+v; sorted in place: %v", r2, r1, a)
	}
}

// TestWorstKSTieBreakWhenPValuesUnderflow: two samples far from the pool
// both get p = 0 (the p-value underflows); the worse is the one with the
// larger statistic, whatever its place among the samples.
func TestWorstKSTieBreakWhenPValuesUnderflow(t *testing.T) {
	const n = 2000
	var names []string
	var cols [][]float64
	for c := range 8 {
		col := make([]float64, n)
		for i := range col {
			col[i] = float64(i) + float64(c)*1e-3 // near-identical columns
		}
		names, cols = append(names, fmt.Sprintf("S%d", c+1)), append(cols, col)
	}
	shifted := func(by float64) []float64 {
		col := make([]float64, n)
		for i := range col {
			col[i] = float64(i) + by
		}
		return col
	}
	// +1e6 lies above 8 of the 10 samples (D = 0.8), +2e6 above 9 (D = 0.9).
	for _, order := range [][2]int{{1, 2}, {2, 1}} {
		nm, cs := slices.Clone(names), slices.Clone(cols)
		for _, k := range order {
			nm, cs = append(nm, fmt.Sprintf("shift%de6", k)), append(cs, shifted(float64(k)*1e6))
		}
		r, ok := WorstKS(nm, cs)
		if !ok {
			t.Fatal("WorstKS found no worst sample")
		}
		if r.Sample != "shift2e6" || r.P != 0 || math.Abs(r.D-0.9) > 1e-12 || r.Values != n || r.Pool != 10*n {
			t.Errorf("order %v: worst %+v, want shift2e6 with D = 0.9, P = 0 over %d of %d values", order, r, n, 10*n)
		}
	}
}
