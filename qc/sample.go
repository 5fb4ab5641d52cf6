package qc

import (
	"container/heap"
	"slices"
)

// RowSample keeps a bounded, deterministic sample of a matrix's rows for the
// recomputed Kolmogorov–Smirnov check: the k rows whose gene ids have the
// smallest 64-bit FNV-1a hash (ties broken by the id). The choice depends
// only on the set of gene ids, not on row order, run or platform, and it is
// the same rows for every column, so each column's sample and the pool of
// all columns describe one subset of the matrix. A matrix of at most k rows
// is kept whole, which makes the check exact there.
//
// Memory is k·(columns+1) float64 values plus k ids, whatever the number of
// rows; offering a row costs one hash, and copying the row only when it
// enters the sample (about k·(1+ln(rows/k)) times in all).
type RowSample struct {
	k, cols int
	slots   []rowSlot
	values  []float64 // slot s, column c at s*cols+c
	order   slotHeap  // max-heap of slots, the first to be evicted on top
}

type rowSlot struct {
	gene string
	hash uint64
}

// NewRowSample returns a sample of at most k rows of cols columns each.
// k ≤ 0 keeps nothing.
func NewRowSample(k, cols int) *RowSample {
	k = max(k, 0)
	s := &RowSample{k: k, cols: cols}
	s.order.s = s
	return s
}

// Offer considers one row: gene is its id and row its values, of which the
// columns listed in cols are kept (in that order). Missing values are NaN.
func (s *RowSample) Offer(gene string, row []float64, cols []int) {
	if s.k == 0 {
		return
	}
	sum := fnv1a(gene)
	var slot int
	switch {
	case len(s.slots) < s.k:
		slot = len(s.slots)
		s.slots = append(s.slots, rowSlot{gene: gene, hash: sum})
		n := len(s.values)
		s.values = slices.Grow(s.values, s.cols)[:n+s.cols]
		heap.Push(&s.order, slot)
	case less(rowSlot{gene, sum}, s.slots[s.order.idx[0]]):
		slot = s.order.idx[0]
		s.slots[slot] = rowSlot{gene: gene, hash: sum}
		heap.Fix(&s.order, 0)
	default:
		return
	}
	dst := s.values[slot*s.cols : (slot+1)*s.cols]
	for i, c := range cols {
		dst[i] = row[c]
	}
}

// Len returns the number of rows kept.
func (s *RowSample) Len() int { return len(s.slots) }

// Column appends column c's kept non-missing values to dst.
func (s *RowSample) Column(dst []float64, c int) []float64 {
	for slot := range s.slots {
		if v := s.values[slot*s.cols+c]; v == v {
			dst = append(dst, v)
		}
	}
	return dst
}

func less(a, b rowSlot) bool {
	if a.hash != b.hash {
		return a.hash < b.hash
	}
	return a.gene < b.gene
}

// slotHeap orders slots with the largest (hash, gene) on top.
type slotHeap struct {
	s   *RowSample
	idx []int
}

func (h *slotHeap) Len() int { return len(h.idx) }
func (h *slotHeap) Less(i, j int) bool {
	return less(h.s.slots[h.idx[j]], h.s.slots[h.idx[i]])
}
func (h *slotHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *slotHeap) Push(x any)    { h.idx = append(h.idx, x.(int)) }
func (h *slotHeap) Pop() any {
	n := len(h.idx)
	x := h.idx[n-1]
	h.idx = h.idx[:n-1]
	return x
}

// KSResult is the recomputed Kolmogorov–Smirnov check of one study: the
// sample whose distribution departs most from the pool of all the study's
// samples.
type KSResult struct {
	// Sample is the worst sample; D and P its statistic and p-value.
	Sample string
	D, P   float64
	// Values is the number of values the worst sample contributed, and
	// Pool the size of the pool it was compared with.
	Values, Pool int
}

// WorstKS compares each sample with the pool of all samples (itself
// included), as scipy.stats.ks_2samp(sample, pool) would, and returns the
// worst: the lowest p-value, then the largest statistic, then the first
// sample. Samples with no values are skipped; it returns false when fewer
// than two samples have values, since a sample cannot differ from a pool
// that is only itself.
func WorstKS(names []string, samples [][]float64) (KSResult, bool) {
	var sorted [][]float64
	var kept []string
	total := 0
	for i, s := range samples {
		if len(s) == 0 {
			continue
		}
		c := slices.Clone(s)
		slices.Sort(c)
		sorted = append(sorted, c)
		kept = append(kept, names[i])
		total += len(c)
	}
	if len(sorted) < 2 {
		return KSResult{}, false
	}
	pool := make([]float64, 0, total)
	for _, s := range sorted {
		pool = append(pool, s...)
	}
	slices.Sort(pool)
	var best KSResult
	for i, s := range sorted {
		d, p := ks2Sorted(s, pool)
		if i == 0 || p < best.P || (p == best.P && d > best.D) {
			best = KSResult{Sample: kept[i], D: d, P: p, Values: len(s), Pool: len(pool)}
		}
	}
	return best, true
}

// fnv1a is the 64-bit FNV-1a hash of s (as hash/fnv computes it, without
// allocating).
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
