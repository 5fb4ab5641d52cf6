package qc

import (
	"math"
	"slices"
)

// ksMaxExactN is the largest sample size for which KS2Samp computes the
// exact two-sample distribution; larger samples use the asymptotic one
// (scipy's method='auto' rule).
const ksMaxExactN = 10000

// KS2Samp returns the two-sided two-sample Kolmogorov–Smirnov statistic D of
// a and b and its p-value, as scipy.stats.ks_2samp(a, b) computes them with
// its defaults (alternative='two-sided', method='auto'): the exact
// distribution of D when neither sample has more than 10,000 values (Hodges'
// lattice-path count), else the one-sample Kolmogorov distribution at
// n = round(n1·n2/(n1+n2)) (Simard and L'Ecuyer's choice of algorithm). Ties
// are handled as scipy does: both empirical distribution functions are
// evaluated right-continuously at every observed value.
//
// In the exact regime D is returned, like scipy's, as h/lcm(n1, n2) with h
// the nearest integer. An empty sample, or a NaN in either sample, gives
// (NaN, NaN). The inputs are not modified.
func KS2Samp(a, b []float64) (d, p float64) {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN(), math.NaN()
	}
	x, y := slices.Clone(a), slices.Clone(b)
	for _, v := range x {
		if v != v {
			return math.NaN(), math.NaN()
		}
	}
	for _, v := range y {
		if v != v {
			return math.NaN(), math.NaN()
		}
	}
	slices.Sort(x)
	slices.Sort(y)
	return ks2Sorted(x, y)
}

// ks2Sorted is KS2Samp on sorted, NaN-free, non-empty samples.
func ks2Sorted(x, y []float64) (float64, float64) {
	return ksTwoSidedP(ksStatistic(x, y), len(x), len(y))
}

// ksStatistic returns sup |F_x − F_y| over the observed values, computing
// each difference as count/n in float64 exactly as scipy does, so that the
// statistic is bit-for-bit scipy's. It walks both samples in one merge.
func ksStatistic(x, y []float64) float64 {
	n1, n2 := float64(len(x)), float64(len(y))
	maxS, minS := math.Inf(-1), math.Inf(1)
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		var v float64
		switch {
		case i == len(x):
			v = y[j]
		case j == len(y):
			v = x[i]
		default:
			v = min(x[i], y[j])
		}
		for i < len(x) && x[i] <= v {
			i++
		}
		for j < len(y) && y[j] <= v {
			j++
		}
		diff := float64(i)/n1 - float64(j)/n2
		maxS = max(maxS, diff)
		minS = min(minS, diff)
	}
	neg := math.Min(math.Max(-minS, 0), 1)
	if neg > maxS {
		return neg
	}
	return maxS
}

// ksTwoSidedP returns the two-sided p-value of statistic d for sample sizes
// n1 and n2, and d itself as the exact method rounds it.
func ksTwoSidedP(d float64, n1, n2 int) (float64, float64) {
	p := math.NaN()
	exact := max(n1, n2) <= ksMaxExactN
	if exact {
		var ok bool
		ok, d, p = ksExact2(n1, n2, d)
		exact = ok
	}
	if !exact {
		m, n := float64(max(n1, n2)), float64(min(n1, n2))
		en := m * n / (m + n)
		p = kstwoSF(d, int(math.RoundToEven(en)))
	}
	return d, clip01(p)
}

// ksExact2 computes the exact two-sided p-value P(D ≥ d) for sizes n1, n2.
// It reports false when the computation does not yield a probability, and
// always returns d rounded to a multiple of 1/lcm(n1, n2).
func ksExact2(n1, n2 int, d float64) (bool, float64, float64) {
	g := gcd(n1, n2)
	lcm := (n1 / g) * n2
	h := int(math.RoundToEven(d * float64(lcm)))
	d = float64(h) / float64(lcm)
	if h == 0 {
		return true, d, 1
	}
	var p float64
	if n1 == n2 {
		p = probOutsideSquare(n1, h)
	} else {
		p = probOutsideInside(n1, n2, g, h)
	}
	if !(p >= 0 && p <= 1) {
		return false, d, p
	}
	return true, d, p
}

// probOutsideSquare returns the share of lattice paths from (0,0) to (n,n)
// that reach either line x − y = ±h: the reflection-principle series
// 2·Σ(−1)^(k+1)·C(2n, n−kh)/C(2n, n), evaluated in nested (Horner) form to
// avoid the subtractive cancellation of the alternating sum.
func probOutsideSquare(n, h int) float64 {
	p := 0.0
	for k := int(math.Floor(float64(n) / float64(h))); k >= 0; k-- {
		p1 := 1.0
		for j := 0; j < h; j++ {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	return 2 * p
}

// probOutsideInside returns the share of lattice paths from (0,0) to (m,n)
// that leave the band |x/m − y/n| < h/lcm(m,n). It follows Hodges' inside
// method, with Viehmann's recursion that carries 1 − (share inside) directly
// so that small p-values keep their relative precision; one sliding column
// of the path-count table is kept.
func probOutsideInside(m, n, g, h int) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := 0, min(int(math.Ceil(float64(h)/float64(mg))), n+1)
	curlen := maxj - minj
	// Cells past the current window stand for paths already outside: 1.
	a := make([]float64, n+2)
	for i := range a {
		a[i] = 1
	}
	for i := minj; i < maxj; i++ {
		a[i] = 0
	}
	for i := 1; i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = max(int(math.Floor(float64(ng*i-h)/float64(mg)))+1, 0)
		minj = min(minj, n)
		maxj = min(int(math.Ceil(float64(ng*i+h)/float64(mg))), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		fi := float64(i)
		for jj := 0; jj < maxj-minj; jj++ {
			j := jj + minj
			val = (a[jj+minj-lastminj]*fi + val*float64(j)) / float64(i+j)
			a[jj] = val
		}
		curlen = maxj - minj
		if lastlen > curlen {
			for k := curlen; k < lastlen && k < len(a); k++ {
				a[k] = 1
			}
		}
	}
	return a[maxj-minj-1]
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func clip01(p float64) float64 {
	if p != p {
		return p
	}
	return math.Min(math.Max(p, 0), 1)
}
