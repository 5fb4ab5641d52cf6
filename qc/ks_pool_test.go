package qc

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// refPoolStat is sup |F_x − F_pool| computed the plain way, independently
// of the pooled sweep: F_x and F_pool are counted afresh (by binary search)
// at every distinct value of the pool, as count/n in float64, and the
// extremes are combined as scipy.stats.ks_2samp combines them.
func refPoolStat(x, pool []float64) float64 {
	xs, ps := slices.Clone(x), slices.Clone(pool)
	slices.Sort(xs)
	slices.Sort(ps)
	upTo := func(s []float64, v float64) int {
		return sort.Search(len(s), func(i int) bool { return s[i] > v })
	}
	maxS, minS := math.Inf(-1), math.Inf(1)
	for i := range ps {
		if i+1 < len(ps) && ps[i+1] == ps[i] {
			continue // not the end of its tie group
		}
		diff := float64(upTo(xs, ps[i]))/float64(len(xs)) - float64(i+1)/float64(len(ps))
		maxS, minS = max(maxS, diff), min(minS, diff)
	}
	d := math.Min(math.Max(-minS, 0), 1)
	if maxS > d {
		d = maxS
	}
	return d
}

// refWorst picks the worst sample as WorstKS documents it, from refPoolStat.
func refWorst(names []string, samples [][]float64) (KSResult, []float64, bool) {
	var pool []float64
	for _, s := range samples {
		pool = append(pool, s...)
	}
	var best KSResult
	var stats []float64
	found := 0
	for i, s := range samples {
		if len(s) == 0 {
			continue
		}
		stat := refPoolStat(s, pool)
		stats = append(stats, stat)
		d, p := ksTwoSidedP(stat, len(s), len(pool))
		if found == 0 || p < best.P || (p == best.P && d > best.D) {
			best = KSResult{Sample: names[i], D: d, P: p, Values: len(s), Pool: len(pool)}
		}
		found++
	}
	if found < 2 {
		return KSResult{}, nil, false
	}
	return best, stats, true
}

// poolCase draws one study's samples. The kinds cover what the pooled sort
// and sweep must get right: ties within and across samples, integer counts
// with many zeros, −0 beside +0, one-value and empty samples, and samples
// copied from others, which tie on D (and on p when sizes match too).
func poolCase(rng *splitmix64, kind string) [][]float64 {
	u := func() float64 { return float64(rng.next()>>11) * 0x1p-53 }
	pick := func(xs ...float64) float64 { return xs[rng.next()%uint64(len(xs))] }
	nsamples := 2 + int(rng.next()%10)
	samples := make([][]float64, nsamples)
	for s := range samples {
		n := 1 + int(rng.next()%120)
		if rng.next()%6 == 0 {
			n = 1
		}
		if s > 0 && rng.next()%10 == 0 {
			n = 0
		}
		shift := pick(0, 0, 0.25, -3, 1e6)
		x := make([]float64, n)
		for i := range x {
			switch kind {
			case "continuous":
				x[i] = u() + shift
			case "ties":
				levels := float64(1 + s%4)
				x[i] = math.Floor(u()*levels)/levels + shift
			case "counts":
				if u() < 0.4 {
					x[i] = 0
				} else {
					x[i] = math.Floor(math.Exp(u() * float64(3+s%6)))
				}
			case "zeros":
				x[i] = pick(math.Copysign(0, -1), 0, -1, 1, 0.5, math.Inf(1), -math.SmallestNonzeroFloat64)
			case "wide":
				x[i] = math.Float64frombits(rng.next()&^(0x7FF<<52) | uint64(1+rng.next()%0x7FE)<<52)
			default:
				panic(kind)
			}
		}
		samples[s] = x
		if s > 0 && rng.next()%5 == 0 {
			src := samples[rng.next()%uint64(s)]
			samples[s] = slices.Clone(src)
			if rng.next()%2 == 0 {
				slices.Reverse(samples[s])
			}
		}
	}
	return samples
}

// TestWorstKSMatchesPlainReference is a randomized differential test of the
// pooled sort and sweep: every sample's statistic, bit for bit, and the
// worst sample with its D and p against the plain computation, on one to
// three sorting goroutines.
func TestWorstKSMatchesPlainReference(t *testing.T) {
	rng := splitmix64(20240611)
	for _, kind := range []string{"continuous", "ties", "counts", "zeros", "wide"} {
		for trial := range 300 {
			samples := poolCase(&rng, kind)
			names := make([]string, len(samples))
			for i := range names {
				names[i] = fmt.Sprint("s", i)
			}
			want, wantStats, wantOK := refWorst(names, samples)
			got, ok := WorstKS(names, samples)
			if ok != wantOK || !reflect.DeepEqual(worstOnly(got), want) {
				t.Fatalf("%s trial %d: WorstKS = %+v, %v; reference %+v, %v\nsamples=%v", kind, trial, got, ok, want, wantOK, samples)
			}
			if !ok {
				continue
			}

			var kept [][]float64
			total := 0
			for _, s := range samples {
				if len(s) > 0 {
					kept = append(kept, s)
					total += len(s)
				}
			}
			// Every sample's figures are listed, bit for bit those of the
			// reference's statistic.
			if len(got.Samples) != len(kept) {
				t.Fatalf("%s trial %d: %d samples listed, want %d", kind, trial, len(got.Samples), len(kept))
			}
			for i, s := range got.Samples {
				d, p := ksTwoSidedP(wantStats[i], len(kept[i]), total)
				if math.Float64bits(s.D) != math.Float64bits(d) || math.Float64bits(s.P) != math.Float64bits(p) || s.Values != len(kept[i]) {
					t.Fatalf("%s trial %d: sample %d listed as %+v, reference D %v, p %v, %d values", kind, trial, i, s, d, p, len(kept[i]))
				}
			}
			for parts := 1; parts <= 3; parts++ {
				owned := make([][]float64, len(kept))
				for i, s := range kept {
					owned[i] = slices.Clone(s)
				}
				stats := poolSweepParts(owned, total, parts)
				for i := range kept {
					if math.Float64bits(stats[i]) != math.Float64bits(wantStats[i]) {
						t.Fatalf("%s trial %d, %d parts, sample %d: sweep %v, reference %v\nsamples=%v", kind, trial, parts, i, stats[i], wantStats[i], kept)
					}
					sorted := slices.Clone(kept[i])
					slices.Sort(sorted)
					if !slices.Equal(owned[i], sorted) {
						t.Fatalf("%s trial %d: sample %d left as %v, want it sorted: %v", kind, trial, i, owned[i], sorted)
					}
				}
			}
		}
	}
}

// TestWorstKSTiesPickTheFirst: samples that tie on D and p leave the first
// of them the worst. Here all four are half the pool's distance away
// (D = 1/2, the same size, so the same p).
func TestWorstKSTiesPickTheFirst(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	samples := [][]float64{{1, 2, 3}, {10, 11, 12}, {12, 11, 10}, {3, 2, 1}}
	want, _, _ := refWorst(names, samples)
	r, ok := WorstKS(names, samples)
	if !ok || !reflect.DeepEqual(worstOnly(r), want) || r.Sample != "a" || r.D != 0.5 {
		t.Fatalf("WorstKS = %+v, %v; want a with D = 1/2 (reference %+v)", r, ok, want)
	}
	// The order decides: the same samples listed the other way round.
	slices.Reverse(names)
	slices.Reverse(samples)
	if r, _ := WorstKS(names, samples); r.Sample != "d" {
		t.Errorf("reversed: worst sample %q, want d", r.Sample)
	}
}

// TestWorstKSOnLargerPools runs the differential check where the radix sort
// takes several levels and splits its work: tens of thousands of pooled
// values of each kind, against the plain reference.
func TestWorstKSOnLargerPools(t *testing.T) {
	rng := splitmix64(99)
	for _, kind := range []string{"continuous", "ties", "counts", "zeros"} {
		var samples [][]float64
		for range 24 {
			var x []float64
			for range 12 {
				c := poolCase(&rng, kind)
				x = append(x, c[rng.next()%uint64(len(c))]...)
			}
			if len(x) > 0 {
				samples = append(samples, x)
			}
		}
		var pool []float64
		for _, s := range samples {
			pool = append(pool, s...)
		}
		owned := make([][]float64, len(samples))
		for i, s := range samples {
			owned[i] = slices.Clone(s)
		}
		stats := poolSweepParts(owned, len(pool), 2)
		for i, s := range samples {
			if want := refPoolStat(s, pool); math.Float64bits(stats[i]) != math.Float64bits(want) {
				t.Fatalf("%s: sample %d of %d (%d pooled): sweep %v, reference %v", kind, i, len(samples), len(pool), stats[i], want)
			}
		}
	}
}

// TestPoolKeyOrder: the key orders floats as float64 comparison does, with
// −0 and +0 one key, and poolValue gives the value back.
func TestPoolKeyOrder(t *testing.T) {
	negZero := math.Copysign(0, -1)
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, negZero, 0,
		math.SmallestNonzeroFloat64, 0x1p-1022, 1, 1 + 0x1p-52, math.MaxFloat64, math.Inf(1)}
	rng := splitmix64(5)
	for range 1000 {
		if v := math.Float64frombits(rng.next()); v == v {
			vals = append(vals, v)
		}
	}
	for _, a := range vals {
		if back := poolValue(poolKey(a)); back != a || (a != 0 && math.Float64bits(back) != math.Float64bits(a)) {
			t.Errorf("poolValue(poolKey(%v)) = %v", a, back)
		}
		for _, b := range vals[:40] {
			if (a < b) != (poolKey(a) < poolKey(b)) || (a == b) != (poolKey(a) == poolKey(b)) {
				t.Errorf("keys of %v and %v (%x, %x) order them wrongly", a, b, poolKey(a), poolKey(b))
			}
		}
	}
}

// TestSortPairsKeepsPairs: the radix sort orders the keys and moves each id
// with its key, on one or several goroutines, whatever the keys' spread.
func TestSortPairsKeepsPairs(t *testing.T) {
	rng := splitmix64(11)
	for trial := range 60 {
		n := []int{0, 1, 31, 33, 300, 5000, 70000}[trial%7]
		prefix := rng.next()
		width := uint(rng.next() % 65)
		keys := make([]uint64, n)
		ids := make([]uint32, n)
		for i := range keys {
			r := rng.next()
			if width < 64 {
				r = prefix&^(1<<width-1) | r&(1<<width-1)
			}
			keys[i], ids[i] = r, uint32(i)
		}
		orig := slices.Clone(keys)
		sortPairs(keys, ids, 1+trial%3)
		if !slices.IsSorted(keys) {
			t.Fatalf("trial %d (n %d, %d varying bits): keys not sorted", trial, n, width)
		}
		seen := make([]bool, n)
		for i, id := range ids {
			if seen[id] || orig[id] != keys[i] {
				t.Fatalf("trial %d: id %d at %d does not carry its key", trial, id, i)
			}
			seen[id] = true
		}
	}
}

// worstOnly is r without its list of every sample, to compare with a
// reference of the worst sample alone.
func worstOnly(r KSResult) KSResult {
	r.Samples = nil
	return r
}
