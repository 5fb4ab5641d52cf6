package qc

import (
	"container/heap"
	"math"
	"runtime"
	"slices"
	"sync"
)

// RowSample keeps a bounded, deterministic sample of a matrix's rows for the
// recomputed Kolmogorov–Smirnov check: the k rows whose gene ids have the
// smallest 64-bit FNV-1a hash (ties broken by the id). The choice depends
// only on the set of gene ids, not on row order, run or platform, and it is
// the same rows for every column, so each column's sample and the pool of
// all columns describe one subset of the matrix. A matrix of at most k rows
// is kept whole, which makes the check exact there.
//
// Memory is the kept values, 8 bytes each (k·columns at most, plus the
// slack of a growing slice), and about 40 bytes per kept row for its id,
// whatever the number of rows; offering a row costs one hash, and copying
// the row only when it enters the sample (about k·(1+ln(rows/k)) times in
// all). Values are kept column by column, so that TakeColumn can hand a
// column over without a copy.
type RowSample struct {
	k, cols int
	slots   []rowSlot
	values  [][]float64 // column c, slot s at values[c][s]
	order   slotHeap    // max-heap of slots, the first to be evicted on top
}

type rowSlot struct {
	gene string
	hash uint64
}

// NewRowSample returns a sample of at most k rows of cols columns each.
// k ≤ 0 keeps nothing.
func NewRowSample(k, cols int) *RowSample {
	k = max(k, 0)
	s := &RowSample{k: k, cols: cols, values: make([][]float64, cols)}
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
	switch {
	case len(s.slots) < s.k:
		s.slots = append(s.slots, rowSlot{gene: gene, hash: sum})
		heap.Push(&s.order, len(s.slots)-1)
		for i, c := range cols {
			s.values[i] = append(s.values[i], row[c])
		}
	case less(rowSlot{gene, sum}, s.slots[s.order.idx[0]]):
		slot := s.order.idx[0]
		s.slots[slot] = rowSlot{gene: gene, hash: sum}
		heap.Fix(&s.order, 0)
		for i, c := range cols {
			s.values[i][slot] = row[c]
		}
	}
}

// Len returns the number of rows kept.
func (s *RowSample) Len() int { return len(s.slots) }

// Column appends column c's kept non-missing values to dst.
func (s *RowSample) Column(dst []float64, c int) []float64 {
	for _, v := range s.values[c] {
		if v == v {
			dst = append(dst, v)
		}
	}
	return dst
}

// TakeColumn returns column c's kept non-missing values without copying
// them: the sample gives the column up (a later TakeColumn or Column of c
// returns nothing), so a check that reads each column once needs no memory
// beyond the sample's. Offer must not be called after it.
func (s *RowSample) TakeColumn(c int) []float64 {
	col := s.values[c][:0]
	for _, v := range s.values[c] {
		if v == v {
			col = append(col, v)
		}
	}
	s.values[c] = nil
	return col
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
	// Rows is the number of matrix rows the check read, and Sampled
	// whether they were a sample of the matrix's rows (a RowSample smaller
	// than the matrix) rather than all of them. WorstKS leaves both zero:
	// its caller knows where the values came from.
	Rows    int
	Sampled bool
}

// WorstKS compares each sample with the pool of all samples (itself
// included), as scipy.stats.ks_2samp(sample, pool) would, and returns the
// worst: the lowest p-value, then the largest statistic, then the first
// sample. Samples with no values are skipped; it returns false when fewer
// than two samples have values, since a sample cannot differ from a pool
// that is only itself.
//
// The pool is never built. Because it is the union of the samples, one
// k-way merge of the sorted samples visits it in order, and every sample's
// statistic can be read off during that one pass (see poolSweep): the cost
// is O(P log S) for P pooled values of S samples, and the memory is the
// samples' own.
func WorstKS(names []string, samples [][]float64) (KSResult, bool) {
	owned := make([][]float64, len(samples))
	for i, s := range samples {
		owned[i] = slices.Clone(s)
	}
	return WorstKSInPlace(names, owned)
}

// WorstKSInPlace is WorstKS without copying the samples: it sorts each of
// them in place. The per-study check uses it on columns it owns, so that
// its memory is the values once.
func WorstKSInPlace(names []string, samples [][]float64) (KSResult, bool) {
	var sorted [][]float64
	var kept []string
	total := 0
	for i, c := range samples {
		if len(c) == 0 {
			continue
		}
		sorted = append(sorted, c)
		kept = append(kept, names[i])
		total += len(c)
	}
	sortAll(sorted, sweepParts(total))
	if len(sorted) < 2 {
		return KSResult{}, false
	}
	stats := poolSweep(sorted, total)
	var best KSResult
	for i, s := range sorted {
		d, p := ksTwoSidedP(stats[i], len(s), total)
		if i == 0 || p < best.P || (p == best.P && d > best.D) {
			best = KSResult{Sample: kept[i], D: d, P: p, Values: len(s), Pool: total}
		}
	}
	return best, true
}

// sortAll sorts every sample in place, on up to workers goroutines.
func sortAll(samples [][]float64, workers int) {
	if workers < 2 {
		for _, c := range samples {
			slices.Sort(c)
		}
		return
	}
	next := make(chan []float64)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range next {
				slices.Sort(c)
			}
		})
	}
	for _, c := range samples {
		next <- c
	}
	close(next)
	wg.Wait()
}

// poolSweep returns, for each sorted sample, the two-sided statistic
// sup |F_sample − F_pool| against the pool of all samples, bit for bit as
// ksStatistic(sample, pool) computes it.
//
// It merges the samples into pool order, one run of equal values at a time.
// F_sample changes only at the sample's own values, and between two of them
// F_pool only grows, so the difference's extremes over the whole pool lie
// at the sample's runs: just before a run of its values (the pool count
// below them) and just after (the count up to them). Both counts are known
// when the merge reaches the run.
//
// A large pool is cut at pivot values into parts swept in parallel (one per
// processor): every count a part needs at its start (each sample's values
// below the pivot, and the pool's) comes from a binary search, and a run of
// equal values never straddles a cut, so the parts note exactly the
// differences one sweep would, and their extremes combine to the same bits.
func poolSweep(sorted [][]float64, total int) []float64 {
	return poolSweepParts(sorted, total, sweepParts(total))
}

// sweepParts is how many parts poolSweep cuts a pool of total values into:
// one below a size where a goroutine costs more than it saves.
func sweepParts(total int) int {
	const minPart = 1 << 18
	return max(1, min(runtime.GOMAXPROCS(0), total/minPart))
}

func poolSweepParts(sorted [][]float64, total, parts int) []float64 {
	n := len(sorted)
	hi := make([]float64, n) // running max of F_sample − F_pool
	lo := make([]float64, n) // running min
	for i := range hi {
		hi[i], lo[i] = math.Inf(-1), math.Inf(1)
	}
	cuts := sweepCuts(sorted, parts)
	if len(cuts) == 0 {
		sweepRange(sorted, total, cutAt(sorted, math.Inf(-1), false), cutAt(sorted, math.Inf(1), true), hi, lo)
	} else {
		bounds := make([][]int, 0, len(cuts)+2)
		bounds = append(bounds, cutAt(sorted, math.Inf(-1), false))
		for _, c := range cuts {
			bounds = append(bounds, cutAt(sorted, c, false))
		}
		bounds = append(bounds, cutAt(sorted, math.Inf(1), true))
		his, los := make([][]float64, len(bounds)-1), make([][]float64, len(bounds)-1)
		var wg sync.WaitGroup
		for p := range his {
			his[p], los[p] = slices.Clone(hi), slices.Clone(lo)
			wg.Go(func() { sweepRange(sorted, total, bounds[p], bounds[p+1], his[p], los[p]) })
		}
		wg.Wait()
		for p := range his {
			for s := range hi {
				hi[s], lo[s] = max(hi[s], his[p][s]), min(lo[s], los[p][s])
			}
		}
	}
	out := make([]float64, n)
	for s := range out {
		// As ksStatistic combines its extremes.
		out[s] = hi[s]
		if neg := math.Min(math.Max(-lo[s], 0), 1); neg > hi[s] {
			out[s] = neg
		}
	}
	return out
}

// sweepCuts returns up to parts−1 increasing pivot values that split the
// pool into parts of similar size: quantiles of the longest sample, which
// follows the pool closely enough to balance the work.
func sweepCuts(sorted [][]float64, parts int) []float64 {
	if parts < 2 {
		return nil
	}
	var longest []float64
	for _, s := range sorted {
		if len(s) > len(longest) {
			longest = s
		}
	}
	var cuts []float64
	for p := 1; p < parts; p++ {
		c := longest[p*len(longest)/parts]
		if len(cuts) == 0 || c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// cutAt returns, per sample, the index of its first value ≥ v (all of its
// values when end is set).
func cutAt(sorted [][]float64, v float64, end bool) []int {
	out := make([]int, len(sorted))
	for s, x := range sorted {
		if end {
			out[s] = len(x)
			continue
		}
		out[s], _ = slices.BinarySearch(x, v)
	}
	return out
}

// sweepRange merges sorted[s][from[s]:to[s]] for every sample, in pool
// order, noting each sample's extremes of F_sample − F_pool into hi and lo.
// The values below from are counted as merged already.
func sweepRange(sorted [][]float64, total int, from, to []int, hi, lo []float64) {
	n := len(sorted)
	pos := slices.Clone(from)  // next unread value of each sample
	seen := slices.Clone(from) // values of each sample merged so far
	j := 0                     // pool values merged so far
	for _, f := range from {
		j += f
	}
	pt := float64(total)
	note := func(s, j int) {
		diff := float64(seen[s])/float64(len(sorted[s])) - float64(j)/pt
		hi[s] = max(hi[s], diff)
		lo[s] = min(lo[s], diff)
	}
	h := mergeHeap{sorted: sorted, pos: pos}
	for s := range n {
		if pos[s] < to[s] {
			h.ids = append(h.ids, s)
		}
	}
	h.init()
	type step struct{ s, k int }
	var run []step
	for len(h.ids) > 0 {
		v := sorted[h.ids[0]][pos[h.ids[0]]]
		below := j
		run = run[:0]
		for len(h.ids) > 0 {
			s := h.ids[0]
			if sorted[s][pos[s]] != v {
				break
			}
			k := pos[s]
			for k < to[s] && sorted[s][k] == v {
				k++
			}
			run = append(run, step{s, k - pos[s]})
			j += k - pos[s]
			pos[s] = k
			if k == to[s] {
				h.pop()
			} else {
				h.fix()
			}
		}
		for _, r := range run {
			note(r.s, below) // the last pool value before this run
			seen[r.s] += r.k
			note(r.s, j) // the pool up to and including the run
		}
	}
}

// mergeHeap is a min-heap of sample indexes keyed by each sample's next
// unread value.
type mergeHeap struct {
	sorted [][]float64
	pos    []int
	ids    []int
}

func (h *mergeHeap) key(i int) float64 { s := h.ids[i]; return h.sorted[s][h.pos[s]] }

func (h *mergeHeap) init() {
	for i := len(h.ids)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// fix restores the heap after the top's key grew.
func (h *mergeHeap) fix() { h.down(0) }

// pop removes the top.
func (h *mergeHeap) pop() {
	last := len(h.ids) - 1
	h.ids[0] = h.ids[last]
	h.ids = h.ids[:last]
	if last > 0 {
		h.down(0)
	}
}

func (h *mergeHeap) down(i int) {
	n := len(h.ids)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.key(r) < h.key(l) {
			m = r
		}
		if !(h.key(m) < h.key(i)) {
			return
		}
		h.ids[i], h.ids[m] = h.ids[m], h.ids[i]
		i = m
	}
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
