package qc

import (
	"container/heap"
	"math"
	"math/bits"
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
	// Samples is every sample's comparison, in the order given (samples
	// with no values left out), so that a threshold on more than the
	// p-value (KSFinding's MinKSStatistic) is applied to each of them, not
	// only to the worst. Empty in a KSResult built by hand.
	Samples []KSSample
}

// KSSample is one sample's comparison with its study's pool.
type KSSample struct {
	Sample string
	D, P   float64
	Values int
}

// WorstKS compares each sample with the pool of all samples (itself
// included), as scipy.stats.ks_2samp(sample, pool) would, and returns the
// worst: the lowest p-value, then the largest statistic, then the first
// sample. Samples with no values are skipped; it returns false when fewer
// than two samples have values, since a sample cannot differ from a pool
// that is only itself. The samples must not hold NaN (missing values are
// left out, as RowSample leaves them out).
//
// The pool is sorted once, as (value, sample) pairs, and every sample's
// statistic is read off during one pass over it: the cost is linear in
// the P pooled values for a radix sort and a sweep, and the memory 12
// bytes a pooled value beyond the samples' own.
func WorstKS(names []string, samples [][]float64) (KSResult, bool) {
	owned := make([][]float64, len(samples))
	for i, s := range samples {
		owned[i] = slices.Clone(s)
	}
	return WorstKSInPlace(names, owned)
}

// WorstKSInPlace is WorstKS without copying the samples: it sorts each of
// them in place (a negative zero comes back as +0, which compares equal).
// The per-study check uses it on columns it owns, so that its memory is the
// values once plus the pool's order.
func WorstKSInPlace(names []string, samples [][]float64) (KSResult, bool) {
	var kept [][]float64
	var keptNames []string
	total := 0
	for i, c := range samples {
		if len(c) == 0 {
			continue
		}
		kept = append(kept, c)
		keptNames = append(keptNames, names[i])
		total += len(c)
	}
	if len(kept) < 2 {
		for _, c := range kept {
			slices.Sort(c)
		}
		return KSResult{}, false
	}
	stats := poolSweepParts(kept, total, sweepParts(total))
	var best KSResult
	all := make([]KSSample, len(kept))
	for i, s := range kept {
		d, p := ksTwoSidedP(stats[i], len(s), total)
		all[i] = KSSample{Sample: keptNames[i], D: d, P: p, Values: len(s)}
		if i == 0 || p < best.P || (p == best.P && d > best.D) {
			best = KSResult{Sample: keptNames[i], D: d, P: p, Values: len(s), Pool: total}
		}
	}
	best.Samples = all
	return best, true
}

// sweepParts is how many goroutines sort a pool of total values: one below
// a size where a goroutine costs more than it saves.
func sweepParts(total int) int {
	const minPart = 1 << 18
	return max(1, min(runtime.GOMAXPROCS(0), total/minPart))
}

// poolSweepParts returns, for each of the non-empty, NaN-free samples, the
// two-sided statistic sup |F_sample − F_pool| against the pool of all of
// them (total values), bit for bit as ksStatistic(sample, pool) computes
// it, and leaves every sample sorted. The pool's sort runs on up to parts
// goroutines.
//
// The pool is sorted once as (value, sample) pairs and swept once, one tie
// group (a run of equal values) at a time, counting each sample's values
// seen so far. scipy evaluates F_sample − F_pool at the end of every tie
// group of the pool. Between two tie groups holding values of sample s,
// F_s is flat while F_pool only grows, so over those groups the difference
// is largest at the first, the group holding s's values (evaluated after
// it), and smallest at the last, the group just before s's next values
// (evaluated with the pool's count below them). That holds in floating
// point too: c/n_s − j/P is computed as fl(fl(c/n_s) − fl(j/P)), and
// correctly rounded division by P and subtraction are monotone in j. So the
// sweep notes, at each group holding s's values, the difference below it
// into s's minimum and the difference after it into s's maximum, and these
// are the extremes over all of the pool's groups (before s's first values
// the minimum is noted with c = 0; after its last, F_s = 1 and the maximum
// is noted; the final group's difference is 0, between the two). Equal
// values of several samples are one group, so ties are scipy's, and −0 and
// +0 are one value.
func poolSweepParts(samples [][]float64, total, parts int) []float64 {
	keys := make([]uint64, 0, total)
	ids := make([]uint32, 0, total)
	for s, x := range samples {
		for _, v := range x {
			keys = append(keys, poolKey(v))
			ids = append(ids, uint32(s))
		}
	}
	sortPairs(keys, ids, parts)

	n := len(samples)
	seen := make([]int, n)
	size := make([]float64, n)
	hi := make([]float64, n) // max of F_s − F_pool
	lo := make([]float64, n) // min of F_s − F_pool
	for s, x := range samples {
		size[s] = float64(len(x))
		hi[s], lo[s] = math.Inf(-1), math.Inf(1)
	}
	pt := float64(len(keys))
	for g := 0; g < len(keys); {
		key := keys[g]
		e := g + 1
		for e < len(keys) && keys[e] == key {
			e++
		}
		group := ids[g:e]
		below := float64(g) / pt
		for _, s := range group {
			if d := float64(seen[s])/size[s] - below; d < lo[s] {
				lo[s] = d
			}
		}
		v := poolValue(key)
		for _, s := range group {
			samples[s][seen[s]] = v
			seen[s]++
		}
		upto := float64(e) / pt
		for _, s := range group {
			if d := float64(seen[s])/size[s] - upto; d > hi[s] {
				hi[s] = d
			}
		}
		g = e
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

// poolKey maps a float64 to a uint64 in the same order (for non-NaN
// values), with −0 and +0 mapped to one key as they compare equal.
func poolKey(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// poolValue inverts poolKey.
func poolValue(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// sortPairs sorts keys, and ids along with them, by key: a most significant
// digit first radix sort, in place, so that its memory is the pairs'. Its
// first level splits the pairs into buckets, which up to workers
// goroutines then sort.
func sortPairs(keys []uint64, ids []uint32, workers int) {
	if workers < 2 || len(keys) <= insertionMax {
		radixPairs(keys, ids)
		return
	}
	var bounds [maxBuckets + 1]int
	nb, ok := radixLevel(keys, ids, &bounds)
	if !ok {
		return
	}
	next := make(chan [2]int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range next {
				radixPairs(keys[b[0]:b[1]], ids[b[0]:b[1]])
			}
		})
	}
	for b := range nb {
		if bounds[b+1]-bounds[b] > 1 {
			next <- [2]int{bounds[b], bounds[b+1]}
		}
	}
	close(next)
	wg.Wait()
}

const (
	// radixBits is a level's digit: 256 buckets, whose heads stay in
	// cache (2,048 buckets, two levels instead of three for 5 million
	// random keys, cost a quarter more).
	radixBits  = 8
	maxBuckets = 1 << radixBits
	// insertionMax is the size up to which an insertion sort beats
	// another radix level.
	insertionMax = 32
)

// radixPairs sorts keys and ids by key on the calling goroutine.
func radixPairs(keys []uint64, ids []uint32) {
	if len(keys) <= insertionMax {
		insertionPairs(keys, ids)
		return
	}
	var bounds [maxBuckets + 1]int
	nb, ok := radixLevel(keys, ids, &bounds)
	if !ok {
		return
	}
	for b := range nb {
		if lo, hi := bounds[b], bounds[b+1]; hi-lo > 1 {
			radixPairs(keys[lo:hi], ids[lo:hi])
		}
	}
}

// radixLevel distributes the pairs into buckets by the most significant
// bits in which their keys differ, in place (American flag sort), sets
// bounds to the buckets' limits and returns their number. It reports false
// when all keys are equal, which leaves nothing to sort: a tie group (the
// zeros of RNA-seq counts) costs one pass.
func radixLevel(keys []uint64, ids []uint32, bounds *[maxBuckets + 1]int) (int, bool) {
	var diff uint64
	first := keys[0]
	for _, k := range keys {
		diff |= k ^ first
	}
	if diff == 0 {
		return 0, false
	}
	const nb, mask = maxBuckets, maxBuckets - 1
	shift := uint(max(63-bits.LeadingZeros64(diff)-(radixBits-1), 0))
	var count, next [nb]int
	for _, k := range keys {
		count[(k>>shift)&mask]++
	}
	sum := 0
	for b, c := range count {
		bounds[b], next[b] = sum, sum
		sum += c
	}
	bounds[nb] = sum
	for b := range nb {
		end := bounds[b+1]
		for i := next[b]; i < end; i = next[b] {
			k, id := keys[i], ids[i]
			for d := int((k >> shift) & mask); d != b; d = int((k >> shift) & mask) {
				j := next[d]
				next[d]++
				keys[j], k = k, keys[j]
				ids[j], id = id, ids[j]
			}
			keys[i], ids[i] = k, id
			next[b]++
		}
	}
	return nb, true
}

// insertionPairs sorts a few pairs by key.
func insertionPairs(keys []uint64, ids []uint32) {
	for i := 1; i < len(keys); i++ {
		k, id := keys[i], ids[i]
		j := i
		for ; j > 0 && keys[j-1] > k; j-- {
			keys[j], ids[j] = keys[j-1], ids[j-1]
		}
		keys[j], ids[j] = k, id
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
