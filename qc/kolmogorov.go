package qc

import "math"

// The one-sample two-sided Kolmogorov–Smirnov distribution of D_n, used for
// the asymptotic two-sample p-value. The algorithm for each region of (n, x)
// is the one Simard and L'Ecuyer (2011) recommend and scipy's kstwo uses, so
// that approximations are made in the same places:
//   - n·x ≤ 1 and n·x ≥ n−1: Ruben and Gambino's closed forms;
//   - x ≥ 0.5, and large n·x²: 2·P(D⁺_n ≥ x) (Smirnov's one-sided formula);
//   - small n·x²: the Durbin matrix (Marsaglia, Tsang and Wang's powers);
//   - n ≤ 140, moderate n·x²: Pomeranz's recursion;
//   - otherwise: the Pelz–Good asymptotic series.

const (
	scale128  = 0x1p128
	scaleM128 = 0x1p-128
)

// kstwoSF returns P(D_n ≥ x) for the two-sided one-sample statistic.
func kstwoSF(x float64, n int) float64 {
	switch {
	case n < 1 || x != x:
		return math.NaN()
	case x <= 0.5/float64(n):
		return 1
	case x >= 1:
		return 0
	}
	return clip01(kolmogn(n, x))
}

// kolmogn is the survival function of D_n inside its support.
func kolmogn(n int, x float64) float64 {
	fn := float64(n)
	t := fn * x
	if t <= 1 {
		if t <= 0.5 {
			return 1
		}
		var cdf float64
		if n <= 140 {
			cdf = 1
			for i := 1; i <= n; i++ {
				cdf *= float64(i) * (1 / fn) * (2*t - 1)
			}
		} else {
			cdf = math.Exp(logNFactorialOverNPowN(fn) + fn*math.Log(2*t-1))
		}
		return 1 - cdf
	}
	if t >= fn-1 {
		return 2 * math.Pow(1-x, fn)
	}
	if x >= 0.5 {
		return 2 * smirnovSF(n, x)
	}
	nxx := t * x
	if n <= 140 {
		switch {
		case nxx <= 0.754693:
			return 1 - kolmogDurbin(n, x)
		case nxx <= 4:
			return 1 - kolmogPomeranz(n, x)
		}
		return 2 * smirnovSF(n, x)
	}
	switch {
	case nxx >= 370:
		return 0
	case nxx >= 2.2:
		return 2 * smirnovSF(n, x)
	case n <= 100000 && fn*math.Pow(x, 1.5) <= 1.4:
		return 1 - kolmogDurbin(n, x)
	}
	return 1 - kolmogPelzGood(n, x)
}

// stirlingCoeffs are B_2j/(2j(2j−1)) for j = 8…1 (B the Bernoulli numbers).
var stirlingCoeffs = [...]float64{-2.955065359477124183e-2, 6.4102564102564102564e-3,
	-1.9175269175269175269e-3, 8.4175084175084175084e-4,
	-5.952380952380952381e-4, 7.9365079365079365079e-4,
	-2.7777777777777777778e-3, 8.3333333333333333333e-2}

// logNFactorialOverNPowN returns log(n!/nⁿ) by Stirling's series, with the
// n·log n terms cancelled analytically.
func logNFactorialOverNPowN(n float64) float64 {
	rn := 1 / n
	x := rn / n
	poly := 0.0
	for _, c := range stirlingCoeffs {
		poly = poly*x + c
	}
	return math.Log(n)/2 - n + math.Log(2*math.Pi)/2 + rn*poly
}

// kolmogDurbin returns P(D_n ≤ d) by Durbin's matrix: the k-th diagonal
// element of Hⁿ times n!/nⁿ, with H of order 2k−1 (k = ⌈nd⌉) raised by
// repeated squaring, rescaling by 2¹²⁸ to stay in range.
func kolmogDurbin(n int, d float64) float64 {
	if d >= 1 {
		return 1
	}
	fn := float64(n)
	nd := fn * d
	if nd <= 0.5 {
		return 0
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1

	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		v[j-1] = 1 - math.Pow(h, float64(j))
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] *= fac
	}
	tt := math.Pow(math.Max(2*h-1, 0), float64(m)) - 2*math.Pow(h, float64(m))
	v[m-1] = (1 + tt) * fac

	H := newSquare(m)
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H.set(r, i, w[r-(i-1)])
		}
	}
	for r := 0; r < m; r++ {
		H.set(r, 0, v[r])
	}
	for c := 0; c < m; c++ {
		H.set(m-1, c, v[m-1-c])
	}

	pw := identity(m)
	expnt, hexpnt := 0, 0
	for nn := n; nn > 0; nn /= 2 {
		if nn%2 == 1 {
			pw = pw.mul(H)
			expnt += hexpnt
		}
		H = H.mul(H)
		hexpnt *= 2
		if math.Abs(H.at(k-1, k-1)) > scale128 {
			for i := range H.a {
				H.a[i] /= scale128
			}
			hexpnt += 128
		}
	}
	p := pw.at(k-1, k-1)
	for i := 1; i <= n; i++ {
		p = float64(i) * p / fn
		if math.Abs(p) < scaleM128 {
			p *= scale128
			expnt -= 128
		}
	}
	if expnt != 0 {
		p = math.Ldexp(p, expnt)
	}
	return clip01(p)
}

// square is a dense m×m matrix, row-major.
type square struct {
	m int
	a []float64
}

func newSquare(m int) square { return square{m: m, a: make([]float64, m*m)} }

func identity(m int) square {
	s := newSquare(m)
	for i := 0; i < m; i++ {
		s.a[i*m+i] = 1
	}
	return s
}

func (s square) at(r, c int) float64     { return s.a[r*s.m+c] }
func (s square) set(r, c int, v float64) { s.a[r*s.m+c] = v }

func (s square) mul(t square) square {
	out := newSquare(s.m)
	m := s.m
	for i := 0; i < m; i++ {
		row := out.a[i*m : (i+1)*m]
		for k := 0; k < m; k++ {
			a := s.a[i*m+k]
			if a == 0 {
				continue
			}
			tr := t.a[k*m : (k+1)*m]
			for j := range row {
				row[j] += a * tr[j]
			}
		}
	}
	return out
}

// kolmogPomeranz returns P(D_n ≤ x) by Pomeranz's recursion: 2n+1
// convolutions of a short row with truncated Poisson weights, keeping only
// the window of the row that can be non-zero.
func kolmogPomeranz(n int, x float64) float64 {
	fn := float64(n)
	t := fn * x
	ll := int(math.Floor(t))
	f := t - float64(ll)
	g := math.Min(f, 1-f)
	ceilf, roundf := 0, 0
	if f > 0 {
		ceilf = 1
	}
	if f > 0.5 {
		roundf = 1
	}
	npwrs := 2 * (ll + 1)
	gpower := make([]float64, npwrs)
	twogpower := make([]float64, npwrs)
	onem2gpower := make([]float64, npwrs)
	gpower[0], twogpower[0], onem2gpower[0] = 1, 1, 1
	gn, twogn, onem2gn := g/fn, 2*g/fn, (1-2*g)/fn
	for m := 1; m < npwrs; m++ {
		fm := float64(m)
		gpower[m] = gpower[m-1] * gn / fm
		twogpower[m] = twogpower[m-1] * twogn / fm
		onem2gpower[m] = onem2gpower[m-1] * onem2gn / fm
	}
	v0 := make([]float64, npwrs)
	v1 := make([]float64, npwrs)
	v1[0] = 1
	v0s, v1s := 0, 0
	expnt := 0
	j1, _ := pomeranzBounds(0, n, ll, ceilf, roundf)
	var conv []float64
	for i := 1; i < 2*n+2; i++ {
		k1 := j1
		v0, v1 = v1, v0
		v0s, v1s = v1s, v0s
		clear(v1)
		var j2 int
		j1, j2 = pomeranzBounds(i, n, ll, ceilf, roundf)
		pwrs := onem2gpower
		switch {
		case i == 1 || i == 2*n+1:
			pwrs = gpower
		case i%2 == 1:
			pwrs = twogpower
		}
		ln2 := j2 - k1 + 1
		if ln2 <= 0 {
			continue
		}
		lo := max(k1-v0s, 0)
		hi := min(lo+ln2, len(v0))
		conv = convolve(conv[:0], v0[lo:hi], pwrs[:min(ln2, len(pwrs))])
		start := j1 - k1
		length := j2 - j1 + 1
		if start >= 0 && start < len(conv) {
			copy(v1[:min(length, len(v1))], conv[start:min(start+length, len(conv))])
		}
		top := 0.0
		for _, v := range v1 {
			top = math.Max(top, v)
		}
		if top > 0 && top < scaleM128 {
			for i := range v1 {
				v1[i] *= scale128
			}
			expnt -= 128
		}
		v1s = v0s + j1 - k1
	}
	ans := 0.0
	if idx := n - v1s; idx >= 0 && idx < len(v1) {
		ans = v1[idx]
	}
	for m := 1; m <= n; m++ {
		if math.Abs(ans) > scale128 {
			ans *= scaleM128
			expnt += 128
		}
		ans *= float64(m)
	}
	if expnt != 0 {
		ans = math.Ldexp(ans, expnt)
	}
	return clip01(ans)
}

// pomeranzBounds returns the window [j1, j2] of row i that can be non-zero.
func pomeranzBounds(i, n, ll, ceilf, roundf int) (int, int) {
	var j1, j2 int
	if i == 0 {
		j1, j2 = -ll-ceilf-1, ll+ceilf-1
	} else {
		half, odd := (i+1)/2, (i+1)%2
		switch {
		case odd == 0 && half == n+1:
			j1, j2 = n-ll-ceilf-1, n+ll+ceilf-1
		case odd == 0:
			j1, j2 = half-1-ll-roundf-1, half+ll-1+ceilf-1
		default:
			j1, j2 = half-1-ll-1, half+ll+roundf-1
		}
	}
	return max(j1+2, 0), min(j2, n)
}

// convolve appends the full discrete convolution of a and b to dst.
func convolve(dst, a, b []float64) []float64 {
	if len(a) == 0 || len(b) == 0 {
		return dst
	}
	n := len(a) + len(b) - 1
	for k := 0; k < n; k++ {
		s := 0.0
		for i := max(0, k-len(b)+1); i <= min(k, len(a)-1); i++ {
			s += a[i] * b[k-i]
		}
		dst = append(dst, s)
	}
	return dst
}

// kolmogPelzGood returns Pelz and Good's approximation of P(D_n ≤ x): the
// Li-Chien/Korolyuk expansion K0 + K1/√n + K2/n + K3/n^1.5, each term
// rewritten with Jacobi's theta identity so it converges for small x√n.
func kolmogPelzGood(n int, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	fn := float64(n)
	z := math.Sqrt(fn) * x
	z2, z3, z4, z6 := z*z, z*z*z, z*z*z*z, math.Pow(z, 6)
	pi2 := math.Pi * math.Pi
	pi4, pi6 := pi2*pi2, pi2*pi2*pi2
	qlog := -pi2 / 8 / z2
	if qlog < -708 {
		return 0
	}
	q := math.Exp(qlog)

	k1a, k1b := -z2, pi2/4
	k2a := 6*z6 + 2*z4
	k2b := (2*z4 - 5*z2) * pi2 / 4
	k2c := pi4 * (1 - 2*z2) / 16
	k3d := pi6 * (5 - 30*z2) / 64
	k3c := pi4 * (-60*z2 + 212*z4) / 16
	k3b := pi2 * (135*z4 - 96*z6) / 4
	k3a := -30*z6 - 90*math.Pow(z, 8)

	var K [4]float64
	maxk := int(math.Ceil(16 * z / math.Pi))
	for k := maxk; k > 0; k-- {
		m := float64(2*k - 1)
		m2 := m * m
		m4, m6 := m2*m2, m2*m2*m2
		qp := math.Pow(q, float64(8*k))
		c := [4]float64{1, k1a + k1b*m2, k2a + k2b*m2 + k2c*m4, k3a + k3b*m2 + k3c*m4 + k3d*m6}
		for i := range K {
			K[i] = K[i]*qp + c[i]
		}
	}
	sqrt2pi := math.Sqrt(2 * math.Pi)
	den := [4]float64{z, 6 * z4, 72 * math.Pow(z, 7), 6480 * math.Pow(z, 10)}
	for i := range K {
		K[i] *= q
		K[i] *= sqrt2pi
		K[i] /= den[i]
	}

	q = math.Exp(-pi2 / 2 / z2)
	sqrt3z := math.Sqrt(3) * z
	var k2extra, k3extra float64
	for k := maxk; k > 0; k-- {
		fk := float64(k)
		ks := fk * fk
		qp := math.Pow(q, ks)
		kspi := math.Pi * fk
		k2extra += ks * qp
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * qp
	}
	k2extra *= pi2 * sqrt2pi / (-36 * z3)
	k3extra *= pi2 * sqrt2pi / (216 * z6)
	K[2] += k2extra
	K[3] += k3extra
	sum := 0.0
	for i := range K {
		sum += K[i] / math.Pow(fn, float64(i)/2)
	}
	return sum
}

// smirnovSF returns P(D⁺_n ≥ x), the one-sided statistic's survival
// function, by Smirnov's (Birnbaum and Tingey's) finite sum
//
//	x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v),
//
// or, where it has at most a few terms and x is small, the complementary
// upper sum. Terms are summed in log space, with x+v/n and 1−x−v/n formed
// from the exact split n·x = ⌊nx⌋ + α so that no term loses precision to
// cancellation; the sum stops once the remaining terms cannot change it.
func smirnovSF(n int, x float64) float64 {
	switch {
	case n <= 0 || !(x >= 0 && x <= 1):
		return math.NaN()
	case n == 1:
		return 1 - x
	case x == 0:
		return 1
	case x == 1:
		return 0
	}
	fn := float64(n)
	hi := fn * x
	lo := math.FMA(fn, x, -hi)
	fl := math.Floor(hi)
	alpha := (hi - fl) + lo
	if alpha < 0 {
		fl--
		alpha++
	}
	if alpha >= 1 {
		fl++
		alpha--
	}
	nxfl := int(fl)
	n1mxfl := n - nxfl - 1
	n1mxceil := n - nxfl
	if alpha == 0 {
		n1mxfl = n - nxfl - 1
		n1mxceil = n - nxfl + 1
	}
	if nxfl == 0 || (nxfl == 1 && alpha == 0) {
		return 1 - x*math.Pow(1+x, fn-1)
	}
	if -2*fn*x*x < -745.1332191019412 {
		return 0
	}
	if nxfl >= n-1 {
		return math.Pow(1-x, fn)
	}
	if n > 1000000 {
		logp := -math.Pow(6*fn*x+1, 2) / 18 / fn
		if logp < -math.Ln2 {
			return math.Exp(logp)
		}
		return 1 + math.Expm1(logp)
	}
	upperTerms := n - n1mxceil + 1
	useUpper := (upperTerms <= 1 && x < 0.5) || (n >= 10 && upperTerms <= 3 && x <= 0.5/math.Sqrt(fn))

	// term(v) in logs: log C(n,v) + (v−1)·log(x+v/n) + (n−v)·log(1−x−v/n).
	// The significant terms can sit at v in the tens of thousands, where
	// each part is ~10⁴–10⁵ in magnitude while their sum is small: the parts
	// and log C (built up term by term) are carried as unevaluated sums
	// hi+lo so that their rounding does not swamp the result.
	term := func(v int, logC dd) float64 {
		up := fl + float64(v) + alpha          // n·(x+v/n)
		down := (fn - fl - float64(v)) - alpha // n·(1−x−v/n)
		e := logC.add(twoProd(float64(v-1), math.Log(up/fn)))
		switch {
		case v == n:
			return math.Exp(e.hi + e.lo)
		case down > 0:
			e = e.add(twoProd(float64(n-v), math.Log1p(-up/fn)))
			return math.Exp(e.hi + e.lo)
		case down == 0:
			return 0
		}
		// Terms of the upper sum have a negative base.
		e = e.add(twoProd(float64(n-v), math.Log(-down/fn)))
		t := math.Exp(e.hi + e.lo)
		if (n-v)%2 == 1 {
			return -t
		}
		return t
	}
	start, step, nTerms := 0, 1, n1mxfl+1
	if useUpper {
		start, step, nTerms = n, -1, n-n1mxceil+1
	}
	sum := 0.0
	var logC dd
	vmid := n / 2
	for j := 0; j < nTerms; j++ {
		v := start + j*step
		a := term(v, logC)
		sum += a
		if a != 0 {
			if 4*float64(nTerms-j)*math.Abs(a) < 0x1p-52*sum && j != nTerms-1 {
				break
			}
		} else if j > vmid {
			break
		}
		// C(n, v±1) from C(n, v); C(n,n−j) = C(n,j), so both directions
		// advance through C(n,j).
		logC = logC.add(dd{hi: math.Log(float64(n-j) / float64(j+1))})
	}
	prob := x * sum
	if useUpper {
		return 1 - prob
	}
	return prob
}

// dd is an unevaluated sum hi+lo carrying about twice float64's precision.
type dd struct{ hi, lo float64 }

// add returns d+e, keeping the rounding error of the leading sum.
func (d dd) add(e dd) dd {
	s := d.hi + e.hi
	if math.IsInf(s, 0) || s != s {
		return dd{hi: s}
	}
	bb := s - d.hi
	err := (d.hi - (s - bb)) + (e.hi - bb)
	lo := err + d.lo + e.lo
	hi := s + lo
	return dd{hi: hi, lo: lo - (hi - s)}
}

// twoProd returns a·b exactly as an unevaluated sum.
func twoProd(a, b float64) dd {
	p := a * b
	if math.IsInf(p, 0) || p != p {
		return dd{hi: p}
	}
	return dd{hi: p, lo: math.FMA(a, b, -p)}
}
