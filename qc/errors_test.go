package qc

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestErrorsIsAsThroughWrapping(t *testing.T) {
	cause := fs.ErrNotExist
	base := &Error{Code: ParseError, Severity: SeverityError, File: "m.tsv", Line: 7, Column: 3, Msg: "bad cell", Err: cause}
	layers := []struct {
		name string
		err  error
	}{
		{"bare", base},
		{"fmt %w", fmt.Errorf("reading: %w", base)},
		{"three fmt layers", fmt.Errorf("load: %w", fmt.Errorf("matrix: %w", fmt.Errorf("row: %w", base)))},
		{"errors.Join", errors.Join(errors.New("other"), fmt.Errorf("ctx: %w", base))},
		{"qc.Error around qc.Error", Wrap(ConnectionFailed, fmt.Errorf("x: %w", base), "outer")},
	}
	for _, l := range layers {
		t.Run(l.name, func(t *testing.T) {
			if !errors.Is(l.err, ParseError) {
				t.Error("errors.Is(err, ParseError) = false")
			}
			if errors.Is(l.err, EncodingError) {
				t.Error("errors.Is(err, EncodingError) = true")
			}
			if !errors.Is(l.err, fs.ErrNotExist) {
				t.Error("the cause is not reachable with errors.Is")
			}
			var e *Error
			if !errors.As(l.err, &e) {
				t.Fatal("errors.As found no *Error")
			}
			if l.name == "qc.Error around qc.Error" {
				if e.Code != ConnectionFailed {
					t.Errorf("outermost *Error has code %v", e.Code)
				}
				return
			}
			if e != base || e.Line != 7 || e.Column != 3 || e.File != "m.tsv" {
				t.Errorf("errors.As gave %+v", e)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	cell := &Error{Code: ParseError, File: "m.tsv", Line: 7, Column: 3, Msg: "bad cell"}
	cfg := &Error{Code: ConfigInvalid, File: "c.yaml", Line: 2, Column: 5, Msg: "too many genes"}
	for _, tt := range []struct {
		name string
		err  *Error
		want string
	}{
		{"plain", cell, "m.tsv:7:3: bad cell [1004 EXTRACTION_PARSE_ERROR]"},
		{"cause of another code keeps both tags", &Error{Code: ConnectionFailed, Msg: "load", Err: cell},
			"load: m.tsv:7:3: bad cell [1004 EXTRACTION_PARSE_ERROR] [4001 LOAD_CONNECTION_FAILED]"},
		{"cause of the same code is tagged once", &Error{Code: ConfigInvalid, Msg: "invalid configuration", Err: cfg},
			"invalid configuration: c.yaml:2:5: too many genes [1005 EXTRACTION_CONFIG_INVALID]"},
		{"same code through fmt.Errorf", &Error{Code: ConfigInvalid, Msg: "new", Err: fmt.Errorf("analytics: %w", cfg)},
			"new: analytics: c.yaml:2:5: too many genes [1005 EXTRACTION_CONFIG_INVALID]"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEveryCodeHasNameSummaryAndParses(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Codes() {
		if strings.HasPrefix(c.Name(), "CODE_") || c.Summary() == "unexpected failure" {
			t.Errorf("%d has no name or summary", int(c))
		}
		if seen[c.Summary()] {
			t.Errorf("%d shares its summary %q", int(c), c.Summary())
		}
		seen[c.Summary()] = true
		for _, s := range []string{fmt.Sprint(int(c)), c.Name(), strings.ToLower(c.Name())} {
			if got, ok := ParseCode(s); !ok || got != c {
				t.Errorf("ParseCode(%q) = %v, %v", s, got, ok)
			}
		}
	}
	if _, ok := ParseCode("9999"); ok {
		t.Error("ParseCode accepted an unknown number")
	}
}

func TestThresholdsCheckAndApply(t *testing.T) {
	th := DefaultThresholds()
	th.Severities = map[string]string{"2006": "error", "VALIDATION_GENE_COUNT_LOW": "INFO"}
	if err := th.Check(); err != nil {
		t.Fatal(err)
	}
	fs := []*Error{{Code: SampleCountLow, Severity: SeverityWarning}, {Code: GeneCountLow, Severity: SeverityWarning}, {Code: DuplicateSamples, Severity: SeverityWarning}}
	th.Apply(fs)
	if fs[0].Severity != SeverityError || fs[1].Severity != SeverityInfo || fs[2].Severity != SeverityWarning {
		t.Errorf("after Apply: %v %v %v", fs[0].Severity, fs[1].Severity, fs[2].Severity)
	}
	for _, edge := range []Thresholds{
		{MaxNullPercentage: 0, MaxDuplicatePercentage: 1, MinKSPValue: 1},
		{MaxNullPercentage: 1, MaxDuplicatePercentage: 0, MinKSPValue: 0},
	} {
		if err := edge.Check(); err != nil {
			t.Errorf("Check refused the bounds themselves %+v: %v", edge, err)
		}
	}
	for _, bad := range []Thresholds{
		{MaxNullPercentage: 2},
		{MaxNullPercentage: -0.1},
		{MaxDuplicatePercentage: 1.5},
		{MaxDuplicatePercentage: -0.5},
		{MinKSPValue: -1},
		{MinKSPValue: 1.5},
		{MaxNullPercentage: math.NaN()},
		{MaxDuplicatePercentage: math.NaN()},
		{MinKSPValue: math.NaN()},
		{MinGenesPerSample: -5},
		{MinSamplesPerStudy: -1},
		{Severities: map[string]string{"NOPE": "ERROR"}},
		{Severities: map[string]string{"2001": "FATAL"}},
	} {
		if bad.Check() == nil {
			t.Errorf("Check accepted %+v", bad)
		}
	}
}

func TestValidateFindings(t *testing.T) {
	th := DefaultThresholds()
	cases := []struct {
		name string
		st   StudyStats
		want map[Code]Severity
	}{
		{"clean", StudyStats{Rows: 2000, Cells: 6000, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}}, map[Code]Severity{}},
		{"missing over limit", StudyStats{Rows: 2000, Cells: 6000, Missing: 1200, Measured: map[string]int64{"a": 1600, "b": 1600, "c": 1600}},
			map[Code]Severity{NullPercentageHigh: SeverityError}},
		{"duplicates under limit", StudyStats{Rows: 2000, DuplicateRows: 10, Cells: 6000, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			map[Code]Severity{DuplicateGenes: SeverityWarning}},
		{"duplicates over limit", StudyStats{Rows: 2000, DuplicateRows: 500, Cells: 6000, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			map[Code]Severity{DuplicateGenes: SeverityError}},
		{"two samples, few genes", StudyStats{Rows: 500, Cells: 1000, Measured: map[string]int64{"a": 500, "b": 500}},
			map[Code]Severity{SampleCountLow: SeverityWarning, GeneCountLow: SeverityWarning}},
		{"RNA-seq with negative values", StudyStats{Rows: 2000, Cells: 6000, Negative: 3, Technology: "RNA-SEQ", Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			map[Code]Severity{NegativeAbundance: SeverityWarning}},
		{"microarray with negative values", StudyStats{Rows: 2000, Cells: 6000, Negative: 1800, Technology: "MICROARRAY", Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			map[Code]Severity{}},
		{"unknown technology with negative values", StudyStats{Rows: 2000, Cells: 6000, Negative: 3, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			map[Code]Severity{}},
	}
	for _, tc := range cases {
		got := map[Code]Severity{}
		for _, f := range Validate(tc.st, th) {
			got[f.Code] = f.Severity
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: findings %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestValidateNothingToLoad: a study with no measured value is an ERROR
// that neither the thresholds nor a severity override can lower, so it
// never replaces a loaded study with no facts.
func TestValidateNothingToLoad(t *testing.T) {
	lenient := DefaultThresholds()
	lenient.MaxNullPercentage, lenient.MinGenesPerSample, lenient.MinSamplesPerStudy = 1, 0, 0
	lenient.Severities = map[string]string{"2002": "INFO", "VALIDATION_NULL_PERCENTAGE_HIGH": "WARNING"}
	three := func(n int64) map[string]int64 { return map[string]int64{"a": n, "b": n, "c": n} }
	cases := []struct {
		name string
		st   StudyStats
		code Code // 0: the study loads
		msg  string
	}{
		{"header only", StudyStats{Study: "S", File: "m.tsv", Measured: three(0)}, GeneCountLow, "the matrix has no gene rows"},
		{"every cell missing", StudyStats{Study: "S", File: "m.tsv", Rows: 40, Cells: 120, Missing: 120, Measured: three(0)},
			NullPercentageHigh, "all 120 of the study's cells are missing"},
		{"every cell missing, repeated genes too", StudyStats{Study: "S", File: "m.tsv", Rows: 40, DuplicateRows: 1, Cells: 120, Missing: 120, Measured: three(0)},
			NullPercentageHigh, "all 120 of the study's cells are missing"},
		{"one measured cell", StudyStats{Study: "S", File: "m.tsv", Rows: 40, Cells: 120, Missing: 119, Measured: map[string]int64{"a": 1, "b": 0, "c": 0}}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, th := range []Thresholds{DefaultThresholds(), lenient} {
				found := Validate(tc.st, th)
				th.Apply(found)
				var errs []*Error
				for _, f := range found {
					if f.Severity == SeverityError {
						errs = append(errs, f)
					}
				}
				if tc.code == 0 {
					if th.MaxNullPercentage == 1 && len(errs) > 0 {
						t.Errorf("lenient thresholds: %v", errs)
					}
					continue
				}
				if len(errs) != 1 {
					t.Fatalf("%d ERROR findings, want 1: %v", len(errs), found)
				}
				e := errs[0]
				if e.Code != tc.code || e.Study != "S" || e.File != "m.tsv" || !errors.Is(e, ErrNothingToLoad) || !strings.Contains(e.Msg, tc.msg) {
					t.Errorf("finding %v (code %d), want %d saying %q with ErrNothingToLoad", e, e.Code, tc.code, tc.msg)
				}
				for _, f := range found {
					if f != e && (f.Code == GeneCountLow || f.Code == NullPercentageHigh) {
						t.Errorf("the same said twice: %v", f)
					}
				}
			}
		})
	}
}

func TestKSFindingThreshold(t *testing.T) {
	th := DefaultThresholds()
	if f := KSFinding("S", "m.tsv", KSResult{Sample: "x", D: 0.1, P: 0.01}, th); f != nil {
		t.Errorf("p 0.01 ≥ 0.001 raised %v", f)
	}
	f := KSFinding("S", "m.tsv", KSResult{Sample: "x", D: 0.4, P: 1e-6}, th)
	if f == nil || f.Code != DistributionShift || f.Severity != SeverityWarning || !strings.Contains(f.Msg, "x") {
		t.Errorf("p 1e-6: %v", f)
	}
}

// TestPercentagesTellShareFromLimit: a finding's share and its limit are
// printed in enough decimals to differ when they differ; 13 missing cells
// of 12,000 over a limit of 0.1% used to read "0.1% (limit 0.1%)".
func TestPercentagesTellShareFromLimit(t *testing.T) {
	for _, tc := range []struct {
		share, limit float64
		a, b         string
	}{
		{13.0 / 12000, 0.001, "0.11%", "0.10%"},
		{0.001049, 0.001, "0.105%", "0.100%"},
		{0.0506, 0.05, "5.06%", "5.00%"},
		{0.5, 0.05, "50.00%", "5.00%"},
		{0.05, 0.05, "5.00%", "5.00%"},
		{0.05000000001, 0.05, "5.000000%", "5.000000%"}, // six decimals at most
	} {
		if a, b := percentages(tc.share, tc.limit); a != tc.a || b != tc.b {
			t.Errorf("percentages(%v, %v) = %s, %s; want %s, %s", tc.share, tc.limit, a, b, tc.a, tc.b)
		}
	}
	th := DefaultThresholds()
	th.MaxNullPercentage = 0.001
	found := Validate(StudyStats{Rows: 4000, Cells: 12000, Missing: 13, Measured: map[string]int64{"a": 4000, "b": 4000, "c": 3987}}, th)
	var msg string
	for _, f := range found {
		if f.Code == NullPercentageHigh {
			msg = f.Msg
		}
	}
	if !strings.Contains(msg, "0.11% of the study's cells are missing (13 of 12000; limit 0.10%)") {
		t.Errorf("null share finding %q", msg)
	}
}

// A finding counting one thing words its verb for one.
func TestValidateMessagesCountOne(t *testing.T) {
	th := DefaultThresholds()
	for _, tc := range []struct {
		st   StudyStats
		want string
	}{
		{StudyStats{Rows: 2000, Cells: 6000, Negative: 1, Technology: "RNA-SEQ", Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			"1 of the study's 6000 measured values is below zero"},
		{StudyStats{Rows: 2000, Cells: 6000, Negative: 2, Technology: "RNA-SEQ", Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			"2 of the study's 6000 measured values are below zero"},
		{StudyStats{Rows: 2000, DuplicateRows: 1, Cells: 6000, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 2000}},
			"1 of 2001 gene rows repeats an earlier gene id"},
		{StudyStats{Rows: 2000, Cells: 6000, Missing: 1990, Measured: map[string]int64{"a": 2000, "b": 2000, "c": 10}},
			"1 of 3 samples has fewer than"},
	} {
		var msgs []string
		for _, f := range Validate(tc.st, th) {
			msgs = append(msgs, f.Msg)
		}
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.HasPrefix(m, tc.want) }) {
			t.Errorf("findings %q, want one beginning %q", msgs, tc.want)
		}
	}
}
