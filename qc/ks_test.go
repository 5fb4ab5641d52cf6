package qc

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// The reference figures come from scipy (see testdata/README.md). The
// tolerances below say how close genexp must be, and why that close:
//
//   - D must be bit-for-bit scipy's: both compute count/n differences in
//     float64 (and, in the exact regime, round D to h/lcm the same way).
//   - p-values: |p − ref| ≤ ksRelTol·ref + ksAbsTol. Where scipy computes
//     the p-value directly (exact lattice counts, Smirnov's sum) the two
//     implementations agree to a few ulps times the number of terms; where
//     scipy computes 1 − CDF (Durbin matrix, Pomeranz, Pelz–Good), the
//     subtraction leaves an absolute error of a few ulps of 1, hence the
//     absolute floor. Both are far below anything that changes a decision
//     at any sensible threshold.
const (
	ksRelTol = 1e-11
	ksAbsTol = 1e-14
)

type ksSpec struct {
	Seed  uint64  `json:"seed"`
	N     int     `json:"n"`
	Kind  string  `json:"kind"`
	Loc   float64 `json:"loc"`
	Scale float64 `json:"scale"`
	Q     float64 `json:"q"`
}

type ksSide []ksSpec

func (s *ksSide) UnmarshalJSON(b []byte) error {
	var one ksSpec
	if err := json.Unmarshal(b, &one); err == nil && one.N > 0 {
		*s = ksSide{one}
		return nil
	}
	var many []ksSpec
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type ksReference struct {
	Scipy string `json:"scipy"`
	Cases []struct {
		Name string  `json:"name"`
		A    ksSide  `json:"a"`
		B    ksSide  `json:"b"`
		N1   int     `json:"n1"`
		N2   int     `json:"n2"`
		D    float64 `json:"d"`
		P    float64 `json:"p"`
	} `json:"cases"`
	KstwoSF []struct {
		N  int     `json:"n"`
		X  float64 `json:"x"`
		SF float64 `json:"sf"`
	} `json:"kstwo_sf"`
	Smirnov []struct {
		N  int     `json:"n"`
		X  float64 `json:"x"`
		SF float64 `json:"sf"`
	} `json:"smirnov"`
	RealStudies []struct {
		Matrix      string  `json:"matrix"`
		WorstColumn string  `json:"worst_column"`
		D           float64 `json:"d"`
		P           float64 `json:"p"`
	} `json:"real_studies"`
}

func loadKSReference(t testing.TB) *ksReference {
	t.Helper()
	b, err := os.ReadFile("testdata/ks_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref ksReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 || len(ref.KstwoSF) == 0 || len(ref.Smirnov) == 0 {
		t.Fatal("reference file holds no cases")
	}
	return &ref
}

// splitmix64 and generate mirror ks_reference.py: integer mixing and
// IEEE-exact float operations only, so both produce identical values.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (s ksSide) values(t testing.TB) []float64 {
	var out []float64
	for _, sp := range s {
		rng := splitmix64(sp.Seed)
		u := func() float64 { return float64(rng.next()>>11) * 0x1p-53 }
		for i := 0; i < sp.N; i++ {
			var v float64
			switch sp.Kind {
			case "uniform":
				v = u()
			case "bell":
				a, b := u(), u()
				c, d := u(), u()
				v = ((a + b) + (c + d)) - 2
			default:
				t.Fatalf("unknown kind %q", sp.Kind)
			}
			v = sp.Loc + sp.Scale*v
			if sp.Q != 0 {
				v = math.Floor(v*sp.Q) / sp.Q
			}
			out = append(out, v)
		}
	}
	return out
}

func closeP(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= ksRelTol*math.Abs(want)+ksAbsTol
}

func TestKS2SampMatchesScipy(t *testing.T) {
	ref := loadKSReference(t)
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			a, b := c.A.values(t), c.B.values(t)
			if len(a) != c.N1 || len(b) != c.N2 {
				t.Fatalf("generated %d and %d values, reference used %d and %d", len(a), len(b), c.N1, c.N2)
			}
			d, p := KS2Samp(a, b)
			if d != c.D {
				t.Errorf("D = %.17g, scipy %s says %.17g", d, ref.Scipy, c.D)
			}
			if !closeP(p, c.P) {
				t.Errorf("p = %.17g, scipy %s says %.17g (rel err %.3g)", p, ref.Scipy, c.P, math.Abs(p-c.P)/c.P)
			}
			// The test is symmetric in its samples.
			if d2, p2 := KS2Samp(b, a); d2 != d || p2 != p {
				t.Errorf("KS2Samp(b, a) = (%v, %v), KS2Samp(a, b) = (%v, %v)", d2, p2, d, p)
			}
		})
	}
}

func TestKstwoSFMatchesScipy(t *testing.T) {
	ref := loadKSReference(t)
	for _, c := range ref.KstwoSF {
		if got := kstwoSF(c.X, c.N); !closeP(got, c.SF) {
			t.Errorf("kstwo.sf(%v, %d) = %.17g, scipy says %.17g", c.X, c.N, got, c.SF)
		}
	}
}

func TestSmirnovMatchesScipy(t *testing.T) {
	ref := loadKSReference(t)
	for _, c := range ref.Smirnov {
		if got := smirnovSF(c.N, c.X); !closeP(got, c.SF) {
			t.Errorf("smirnov(%d, %v) = %.17g, scipy says %.17g", c.N, c.X, got, c.SF)
		}
	}
}

func TestKS2SampEdges(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		a, b []float64
	}{
		{"empty a", nil, []float64{1}},
		{"empty b", []float64{1}, nil},
		{"NaN", []float64{1, nan}, []float64{1, 2}},
	} {
		if d, p := KS2Samp(tc.a, tc.b); !math.IsNaN(d) || !math.IsNaN(p) {
			t.Errorf("%s: got (%v, %v), want NaN", tc.name, d, p)
		}
	}
	a := []float64{3, 1, 2}
	KS2Samp(a, []float64{5, 4})
	if a[0] != 3 || a[1] != 1 || a[2] != 2 {
		t.Errorf("KS2Samp reordered its input: %v", a)
	}
}

// TestPoolSweepEqualsMerge checks WorstKS's one-pass sweep against the
// merge of each sample with the materialized pool, bit for bit, on samples
// with heavy ties, shifted, nested and identical ranges, and unequal sizes.
func TestPoolSweepEqualsMerge(t *testing.T) {
	rng := splitmix64(7)
	for trial := 0; trial < 2000; trial++ {
		nsamples := 2 + int(rng.next()%12)
		levels := []int{0, 2, 5, 50}[rng.next()%4]
		var samples [][]float64
		var pool []float64
		for s := 0; s < nsamples; s++ {
			n := 1 + int(rng.next()%60)
			shift := []float64{0, 0, 0.3, -2, 2}[rng.next()%5]
			x := make([]float64, n)
			for i := range x {
				v := float64(rng.next()>>11) * 0x1p-53
				if levels > 0 {
					v = math.Floor(v*float64(levels)) / float64(levels)
				}
				x[i] = v + shift
			}
			if s > 0 && rng.next()%9 == 0 {
				x = slices.Clone(samples[0]) // a sample identical to another
			}
			slices.Sort(x)
			samples = append(samples, x)
			pool = append(pool, x...)
		}
		slices.Sort(pool)
		// Cut into parts, as a large pool is swept in parallel, the sweep
		// must give the same bits as one pass.
		for parts := 1; parts <= 4; parts++ {
			got := poolSweepParts(samples, len(pool), parts)
			for s, x := range samples {
				want := ksStatistic(x, pool)
				if math.Float64bits(got[s]) != math.Float64bits(want) {
					t.Fatalf("trial %d, %d parts, sample %d: sweep %v, merge %v\nsamples=%v", trial, parts, s, got[s], want, samples)
				}
			}
		}
	}
}
