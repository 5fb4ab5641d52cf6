package qc

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestValidateAtTheLimits checks each default threshold exactly at its
// limit and one step past it. The documentation says which side the limit
// is on: "the largest share a study may have" (missing cells, duplicate
// gene rows), "the fewest measured genes a sample may have", "the fewest
// samples a study may have": the limit itself passes.
func TestValidateAtTheLimits(t *testing.T) {
	th := DefaultThresholds()
	three := func(n int64) map[string]int64 { return map[string]int64{"a": n, "b": n, "c": n} }
	cases := []struct {
		name string
		st   StudyStats
		want map[Code]Severity
	}{
		// 600 of 6000 cells is exactly MaxNullPercentage (0.1).
		{"missing share at the limit", StudyStats{Rows: 2000, Cells: 6000, Missing: 600, Measured: three(1800)}, map[Code]Severity{}},
		{"missing share one cell over", StudyStats{Rows: 2000, Cells: 6000, Missing: 601, Measured: three(1800)},
			map[Code]Severity{NullPercentageHigh: SeverityError}},
		// a matrix of several studies: 2000 of its rows hold none of this
		// study's values; over the other 2000, 600 of 6000 cells is the limit
		{"missing share over the study's rows, at the limit", StudyStats{Rows: 4000, RowsWithValues: 2000, Cells: 12000, Missing: 6600, Measured: three(1800)},
			map[Code]Severity{}},
		{"missing share over the study's rows, one cell over", StudyStats{Rows: 4000, RowsWithValues: 2000, Cells: 12000, Missing: 6601, Measured: map[string]int64{"a": 1800, "b": 1800, "c": 1799}},
			map[Code]Severity{NullPercentageHigh: SeverityError}},
		// a study of two organisms, its missing cells kept: sample a's
		// organism has values in 2000 of the 4000 rows holding any of the
		// study's, b's and c's in the other 2000; 600 of those 6000 cells
		// is the limit, though 6600 of the 12000 cells of the study's
		// rows are missing
		{"missing share per organism, at the limit", StudyStats{Rows: 6000, RowsWithValues: 4000, CellsWithValues: 6000, Cells: 18000, Missing: 12600, Measured: three(1800)},
			map[Code]Severity{}},
		{"missing share per organism, one cell over", StudyStats{Rows: 6000, RowsWithValues: 4000, CellsWithValues: 6000, Cells: 18000, Missing: 12601, Measured: map[string]int64{"a": 1800, "b": 1800, "c": 1799}},
			map[Code]Severity{NullPercentageHigh: SeverityError}},
		// 100 of 2000 rows is exactly MaxDuplicatePercentage (0.05).
		{"duplicate share at the limit", StudyStats{Rows: 1900, DuplicateRows: 100, Cells: 5700, Measured: three(1900)},
			map[Code]Severity{DuplicateGenes: SeverityWarning}},
		{"duplicate share one row over", StudyStats{Rows: 1899, DuplicateRows: 101, Cells: 5697, Measured: three(1899)},
			map[Code]Severity{DuplicateGenes: SeverityError}},
		{"genes per sample at the minimum", StudyStats{Rows: 1000, Cells: 3000, Measured: three(1000)}, map[Code]Severity{}},
		{"genes per sample one under", StudyStats{Rows: 1000, Cells: 3000, Missing: 1, Measured: map[string]int64{"a": 1000, "b": 999, "c": 1000}},
			map[Code]Severity{GeneCountLow: SeverityWarning}},
		{"samples at the minimum", StudyStats{Rows: 1000, Cells: 3000, Measured: three(1000)}, map[Code]Severity{}},
		{"samples one under", StudyStats{Rows: 1000, Cells: 2000, Measured: map[string]int64{"a": 1000, "b": 1000}},
			map[Code]Severity{SampleCountLow: SeverityWarning}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[Code]Severity{}
			for _, f := range Validate(tc.st, th) {
				got[f.Code] = f.Severity
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKSFindingAtTheLimit: MinKSPValue is "the smallest p-value the check
// may give" (default 0.001): p equal to it raises nothing, the next
// smaller float64 does.
func TestKSFindingAtTheLimit(t *testing.T) {
	th := DefaultThresholds()
	if f := KSFinding("S", "m.tsv", KSResult{Sample: "x", D: 0.1, P: th.MinKSPValue}, th); f != nil {
		t.Errorf("p = MinKSPValue raised %v", f)
	}
	below := math.Nextafter(th.MinKSPValue, 0)
	if f := KSFinding("S", "m.tsv", KSResult{Sample: "x", D: 0.1, P: below}, th); f == nil || f.Code != DistributionShift {
		t.Errorf("p just below MinKSPValue: %v, want a DistributionShift finding", f)
	}
	if f := KSFinding("S", "m.tsv", KSResult{Sample: "x", D: 1, P: 0}, th); f == nil {
		t.Error("p = 0 (underflow) raised nothing")
	}
}

// TestKSFindingNeedsAShiftThatMatters: with tens of thousands of values a
// tiny shift has a tiny p-value (SRP110235's worst sample: D = 0.0553, p
// = 3.96e-88 over 41,249 genes); the finding also needs D of at least
// MinKSStatistic (default 0.1, reached exactly raises it), and a
// MinKSStatistic of 0 leaves the p-value alone to decide.
func TestKSFindingNeedsAShiftThatMatters(t *testing.T) {
	th := DefaultThresholds()
	small := KSResult{Sample: "SRR5756557", D: 0.05529, P: 3.96e-88, Values: 41249, Pool: 164996}
	for _, tc := range []struct {
		name    string
		r       KSResult
		minD    float64
		finding bool
	}{
		{"a tiny shift over many values", small, th.MinKSStatistic, false},
		{"the same with the p-value alone", small, 0, true},
		{"D at the limit", KSResult{Sample: "x", D: th.MinKSStatistic, P: 1e-9}, th.MinKSStatistic, true},
		{"D just under the limit", KSResult{Sample: "x", D: math.Nextafter(th.MinKSStatistic, 0), P: 1e-9}, th.MinKSStatistic, false},
		{"a large shift with a p-value that is chance", KSResult{Sample: "x", D: 0.6, P: 0.2}, th.MinKSStatistic, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			thr := th
			thr.MinKSStatistic = tc.minD
			f := KSFinding("S", "m.tsv", tc.r, thr)
			if (f != nil) != tc.finding {
				t.Fatalf("finding %v, want one: %v", f, tc.finding)
			}
			if f != nil && (f.Code != DistributionShift || !strings.Contains(f.Msg, fmt.Sprintf("at least %.3g", tc.minD))) {
				t.Errorf("finding %v, want DistributionShift naming the D limit", f)
			}
		})
	}
}

// TestKSFindingHoldsEverySample: the thresholds hold for each sample, not
// only for the one of lowest p-value: a sample of many values with a tiny
// shift (the worst by p-value) does not hide a sample of few values with a
// large one. WorstKS lists every sample's figures for it.
func TestKSFindingHoldsEverySample(t *testing.T) {
	th := DefaultThresholds()
	a := KSSample{Sample: "A", D: 0.041, P: 8.7e-45, Values: 40000}
	b := KSSample{Sample: "B", D: 0.24, P: 2.2e-30, Values: 600}
	c := KSSample{Sample: "C", D: 0.5, P: 0.01, Values: 20}
	r := KSResult{Sample: a.Sample, D: a.D, P: a.P, Values: a.Values, Pool: 40620, Samples: []KSSample{a, b, c}}
	f := KSFinding("S", "m.tsv", r, th)
	if f == nil || !strings.Contains(f.Msg, "sample B's values") || !strings.Contains(f.Msg, "on 600 values against 40620") {
		t.Fatalf("finding %v, want one naming sample B and its 600 values", f)
	}
	r.Samples = []KSSample{a, c}
	if f := KSFinding("S", "m.tsv", r, th); f != nil {
		t.Errorf("no sample passes both thresholds, yet %v", f)
	}

	// WorstKS fills Samples: one entry a sample with values, the worst's
	// figures among them.
	shifted := make([]float64, 300)
	base := make([]float64, 300)
	for i := range base {
		base[i] = float64(i)
		shifted[i] = float64(i) + 150
	}
	w, ok := WorstKS([]string{"x", "empty", "y", "z"}, [][]float64{base, nil, slices.Clone(base), shifted})
	if !ok || len(w.Samples) != 3 || w.Samples[0].Sample != "x" || w.Samples[2].Sample != "z" {
		t.Fatalf("WorstKS samples %+v, want x, y and z", w.Samples)
	}
	if got := w.Samples[2]; got.Sample != w.Sample || got.D != w.D || got.P != w.P || got.Values != 300 {
		t.Errorf("the worst %s (D %g, p %g) is not its own entry %+v", w.Sample, w.D, w.P, got)
	}
}

// TestKSFindingTieOnP: samples of one p-value (0 for every sample far off
// the pool, where the p-value underflows) are told apart by D: the finding
// names the sample of largest D, as WorstKS does, whatever their order.
func TestKSFindingTieOnP(t *testing.T) {
	th := DefaultThresholds()
	a := KSSample{Sample: "A", D: 0.7, P: 0, Values: 5000}
	b := KSSample{Sample: "B", D: 0.9, P: 0, Values: 5000}
	for _, order := range [][]KSSample{{a, b}, {b, a}} {
		r := KSResult{Sample: order[0].Sample, D: order[0].D, P: 0, Values: 5000, Pool: 10000, Samples: order}
		if f := KSFinding("S", "m.tsv", r, th); f == nil || !strings.Contains(f.Msg, "sample B's values") {
			t.Errorf("samples in the order %s, %s: %v, want a finding naming B", order[0].Sample, order[1].Sample, f)
		}
	}
}

// TestGeneCountLowNamesFiveSamples: the finding for samples with too few
// measured genes names the first five, in order, and says there are more.
func TestGeneCountLowNamesFiveSamples(t *testing.T) {
	th := DefaultThresholds()
	measured := map[string]int64{"ok": th.MinGenesPerSample}
	for _, s := range []string{"s7", "s1", "s3", "s2", "s6", "s5", "s4"} {
		measured[s] = 10
	}
	var msg string
	for _, f := range Validate(StudyStats{Study: "S", File: "m.tsv", Rows: th.MinGenesPerSample, Cells: 8 * th.MinGenesPerSample, Measured: measured}, th) {
		if f.Code == GeneCountLow {
			msg = f.Msg
		}
	}
	want := fmt.Sprintf("7 of 8 samples have fewer than %d measured genes: s1 (10), s2 (10), s3 (10), s4 (10), s5 (10), …", th.MinGenesPerSample)
	if msg != want {
		t.Errorf("finding %q\nwant    %q", msg, want)
	}
}
