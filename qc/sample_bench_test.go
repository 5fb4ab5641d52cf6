package qc

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkRowSampleOffer measures the per-row cost the recomputed KS check
// adds to a load: 20,000 rows of 100 columns into a 5,000-row sample.
func BenchmarkRowSampleOffer(b *testing.B) {
	const rows, cols = 20000, 100
	genes := make([]string, rows)
	for i := range genes {
		genes[i] = fmt.Sprintf("ENSG%011d", i)
	}
	row := make([]float64, cols)
	idx := make([]int, cols)
	for i := range idx {
		idx[i], row[i] = i, float64(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewRowSample(5000, cols)
		for _, g := range genes {
			s.Offer(g, row, idx)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// BenchmarkWorstKS measures the per-study check: 100 samples of 5,000
// values against their 500,000-value pool (asymptotic p-values).
func BenchmarkWorstKS(b *testing.B) {
	const n, size = 100, 5000
	names := make([]string, n)
	samples := make([][]float64, n)
	rng := splitmix(1)
	for i := range samples {
		names[i] = fmt.Sprint("s", i)
		samples[i] = make([]float64, size)
		for j := range samples[i] {
			samples[i][j] = float64(rng.next()>>11)*0x1p-53 + float64(i%3)*0.01
		}
	}
	for b.Loop() {
		WorstKS(names, samples)
	}
}

type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// BenchmarkWorstKSLoadShape measures the check at the default budget on
// the 10M-cell load's shape: 500 samples of 10,000 microarray-like values
// (53 random mantissa bits, so nearly no ties), 5,000,000 pooled.
func BenchmarkWorstKSLoadShape(b *testing.B) {
	benchWorstKS(b, 500, 10000, func(rng *splitmix, i int) float64 {
		return 2 + 12*float64(rng.next()>>11)*0x1p-53 + float64(i%5)*0.001
	})
}

// BenchmarkWorstKSCounts is the same shape with RNA-seq-like counts:
// small integers, a third of them zero, so the pool is mostly ties.
func BenchmarkWorstKSCounts(b *testing.B) {
	benchWorstKS(b, 500, 10000, func(rng *splitmix, i int) float64 {
		u := float64(rng.next()>>11) * 0x1p-53
		if u < 1.0/3 {
			return 0
		}
		return math.Floor(math.Exp(12 * u * float64(1+i%2) / 2))
	})
}

func benchWorstKS(b *testing.B, n, size int, value func(*splitmix, int) float64) {
	names := make([]string, n)
	samples := make([][]float64, n)
	rng := splitmix(1)
	for i := range samples {
		names[i] = fmt.Sprint("s", i)
		samples[i] = make([]float64, size)
		for j := range samples[i] {
			samples[i][j] = value(&rng, i)
		}
	}
	b.ReportAllocs()
	cpu0, ok := processCPU()
	for b.Loop() {
		WorstKS(names, samples)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*size), "ns/value")
	// The CPU time of the whole process, GC included: on a shared machine
	// it is steadier than the elapsed time, and on several cores it is what
	// the check takes from the rest of a load.
	if cpu1, ok1 := processCPU(); ok && ok1 {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
