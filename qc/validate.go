package qc

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Thresholds are the quality limits a study is held to (the
// quality_thresholds section of the configuration). Each field's zero is a
// limit, not "the default" (a MaxNullPercentage of 0 allows no missing
// cell): start from DefaultThresholds and change what you mean.
type Thresholds struct {
	// MaxNullPercentage is the largest share (0–1) of missing cells a study
	// may have (in a matrix of several studies, among the rows holding any
	// of its values: see StudyStats.RowsWithValues). Default 0.1.
	MaxNullPercentage float64 `yaml:"max_null_percentage"`
	// MaxDuplicatePercentage is the largest share (0–1) of gene rows that
	// may repeat an earlier row's gene id. Default 0.05.
	MaxDuplicatePercentage float64 `yaml:"max_duplicate_percentage"`
	// MinGenesPerSample is the fewest measured (non-missing) genes a sample
	// may have. Default 1000.
	MinGenesPerSample int64 `yaml:"min_genes_per_sample"`
	// MinSamplesPerStudy is the fewest samples a study may have. Default 3.
	MinSamplesPerStudy int `yaml:"min_samples_per_study"`
	// MinKSPValue is the smallest p-value the recomputed
	// Kolmogorov–Smirnov check may give the study's worst sample before a
	// DistributionShift finding is raised. Default 0.001. The worst of S
	// samples is the minimum of S p-values, so with many samples a
	// stricter (smaller) value avoids findings that are chance alone.
	MinKSPValue float64 `yaml:"min_ks_pvalue"`
	// MinKSStatistic is the smallest Kolmogorov–Smirnov statistic D (the
	// largest gap between the worst sample's distribution and the study's
	// pooled one, 0–1) that raises the finding together with a p-value
	// below MinKSPValue. Default 0.1. With tens of thousands of values the
	// p-value alone flags shifts too small to matter (D = 0.05 over 40,000
	// genes gives p below 1e-80); 0 leaves the p-value alone to decide.
	MinKSStatistic float64 `yaml:"min_ks_statistic"`
	// Severities overrides the severity of findings by code, named by
	// number or name ("2006" or "VALIDATION_SAMPLE_COUNT_LOW") with a value
	// of INFO, WARNING or ERROR: a site that wants studies with too few
	// samples refused sets VALIDATION_SAMPLE_COUNT_LOW: ERROR. No override
	// lowers the ERROR of a study with no measured value (ErrNothingToLoad).
	Severities map[string]string `yaml:"severities"`
}

// DefaultThresholds returns the default thresholds: at most 10% missing
// cells and 5% duplicate gene rows, at least 1000 genes per sample and 3
// samples per study, and a recomputed KS check that flags a sample when
// its p-value is below 0.001 and its statistic D at least 0.1.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MaxNullPercentage:      0.1,
		MaxDuplicatePercentage: 0.05,
		MinGenesPerSample:      1000,
		MinSamplesPerStudy:     3,
		MinKSPValue:            0.001,
		MinKSStatistic:         0.1,
	}
}

// Check reports thresholds that cannot be applied.
func (t Thresholds) Check() error {
	var errs []error
	// Written as "not within", so that NaN, which no comparison holds
	// for, is refused too: as a threshold it would pass every study.
	if !(t.MaxNullPercentage >= 0 && t.MaxNullPercentage <= 1) || !(t.MaxDuplicatePercentage >= 0 && t.MaxDuplicatePercentage <= 1) {
		errs = append(errs, errors.New("quality_thresholds: percentages are shares between 0 and 1"))
	}
	if !(t.MinKSPValue >= 0 && t.MinKSPValue <= 1) {
		errs = append(errs, errors.New("quality_thresholds.min_ks_pvalue: a p-value is between 0 and 1"))
	}
	if !(t.MinKSStatistic >= 0 && t.MinKSStatistic <= 1) {
		errs = append(errs, errors.New("quality_thresholds.min_ks_statistic: a Kolmogorov–Smirnov statistic is between 0 and 1"))
	}
	if t.MinGenesPerSample < 0 || t.MinSamplesPerStudy < 0 {
		errs = append(errs, errors.New("quality_thresholds: minimum counts must not be negative"))
	}
	if _, err := t.severityOverrides(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// severityOverrides resolves Severities to codes.
func (t Thresholds) severityOverrides() (map[Code]Severity, error) {
	if len(t.Severities) == 0 {
		return nil, nil
	}
	out := make(map[Code]Severity, len(t.Severities))
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(t.Severities)) {
		code, ok := ParseCode(key)
		if !ok {
			errs = append(errs, fmt.Errorf("quality_thresholds.severities: %q is not a genexp code", key))
			continue
		}
		sev, err := ParseSeverity(t.Severities[key])
		if err != nil {
			errs = append(errs, fmt.Errorf("quality_thresholds.severities.%s: %w", key, err))
			continue
		}
		out[code] = sev
	}
	return out, errors.Join(errs...)
}

// Apply sets the severity of each finding whose code Severities overrides,
// except a finding that a study has nothing to load (ErrNothingToLoad):
// loading it would replace the study's facts with none. Overrides that do
// not parse are ignored here; Check reports them.
func (t Thresholds) Apply(findings []*Error) {
	over, _ := t.severityOverrides()
	for _, f := range findings {
		if errors.Is(f.Err, ErrNothingToLoad) {
			continue
		}
		if sev, ok := over[f.Code]; ok {
			f.Severity = sev
		}
	}
}

// KSFinding returns the DistributionShift finding for a study's recomputed
// Kolmogorov–Smirnov check, or nil when no sample has both a p-value below
// MinKSPValue and a statistic D of at least MinKSStatistic. Each of
// r.Samples is held to both, and the finding names the one of lowest
// p-value among those that fail them (a sample of many values with a tiny
// shift has a lower p-value than one of few values with a large one); a
// KSResult without Samples is judged by its worst sample alone.
func KSFinding(study, file string, r KSResult, t Thresholds) *Error {
	candidates := r.Samples
	if len(candidates) == 0 {
		candidates = []KSSample{{Sample: r.Sample, D: r.D, P: r.P, Values: r.Values}}
	}
	var pick *KSSample // the lowest p-value, then the largest D, then the first, as WorstKS picks
	for i, s := range candidates {
		if s.P < t.MinKSPValue && !(s.D < t.MinKSStatistic) && (pick == nil || s.P < pick.P || (s.P == pick.P && s.D > pick.D)) {
			pick = &candidates[i]
		}
	}
	if pick == nil {
		return nil
	}
	r.Sample, r.D, r.P, r.Values = pick.Sample, pick.D, pick.P, pick.Values
	on := fmt.Sprintf("on %d values against %d", r.Values, r.Pool)
	if r.Sampled {
		on += fmt.Sprintf(", from a sample of %d rows", r.Rows)
	}
	return &Error{Code: DistributionShift, Severity: SeverityWarning, Study: study, File: file,
		Msg: fmt.Sprintf("sample %s's values are distributed differently from the study's pooled values "+
			"(Kolmogorov–Smirnov D = %.4g, at least %.3g, and p = %.3g below %.3g, %s); "+
			"check its normalization before comparing it with the others",
			r.Sample, r.D, t.MinKSStatistic, r.P, t.MinKSPValue, on)}
}

// StudyStats are the counts validation needs about one study's part of a
// matrix.
type StudyStats struct {
	Study string
	File  string
	// Rows is the number of distinct gene rows; DuplicateRows the rows
	// dropped as repeats.
	Rows, DuplicateRows int64
	// Cells and Missing count the study's cells and its missing ones.
	Cells, Missing int64
	// RowsWithValues counts the rows holding at least one value of the
	// study; 0 is unknown (every row counts). In a matrix of several
	// studies (a SPECIES or ALL download) a row of a gene the study does
	// not measure holds none of its values, and the share of missing
	// cells is taken over the rows it does measure.
	RowsWithValues int64
	// CellsWithValues, when RowsWithValues is set, counts each sample's
	// cells in the rows holding values of its study's samples of its
	// organism (the rows holding any value of the study where it has
	// one organism), summed over the samples: the cells the share of
	// missing ones is taken over. 0 is RowsWithValues × the samples.
	CellsWithValues int64
	// Measured maps each sample to its number of non-missing cells.
	Measured map[string]int64
	// Negative counts the study's cells below zero in the samples left in
	// analysis, and Technology is the study's measurement technology
	// ("RNA-SEQ", "MICROARRAY", …; "" when unknown): an RNA-seq study's
	// values are abundances, never negative.
	Negative   int64
	Technology string
}

// ErrNothingToLoad is the cause of the ERROR Validate raises for a study
// with no measured value: GeneCountLow for a matrix with no gene rows,
// NullPercentageHigh when every cell of the study is missing. No threshold
// or severity override lets such a study load.
var ErrNothingToLoad = errors.New("no sample has a measured value, so nothing is loaded (a study already loaded keeps its facts)")

// Validate checks a study against the thresholds and returns its findings:
// ERROR findings stop the study, WARNING findings load and stay visible.
func Validate(s StudyStats, t Thresholds) []*Error {
	var out []*Error
	add := func(code Code, sev Severity, format string, args ...any) {
		out = append(out, &Error{Code: code, Severity: sev, Study: s.Study, File: s.File, Msg: fmt.Sprintf(format, args...)})
	}
	// Without a measured value the share and per-sample rules below have
	// nothing to say that this does not.
	empty := s.Cells == s.Missing
	if empty {
		f := &Error{Code: NullPercentageHigh, Severity: SeverityError, Study: s.Study, File: s.File,
			Msg: fmt.Sprintf("all %d of the study's cells are missing", s.Cells), Err: ErrNothingToLoad}
		if s.Rows == 0 {
			f.Code, f.Msg = GeneCountLow, "the matrix has no gene rows, only its header"
		}
		out = append(out, f)
	} else {
		cells, missing, without := s.Cells, s.Missing, int64(0)
		perOrganism := false
		if s.RowsWithValues > 0 && len(s.Measured) > 0 {
			// rows of other studies' (or organisms') genes are no cells
			// of this one (of its samples of another organism)
			without = s.Rows - s.RowsWithValues
			cells = s.RowsWithValues * int64(len(s.Measured))
			if s.CellsWithValues > 0 {
				perOrganism = s.CellsWithValues != cells
				cells = s.CellsWithValues
			}
			missing = cells - (s.Cells - s.Missing)
		}
		share := float64(missing) / float64(cells)
		if share > t.MaxNullPercentage {
			sh, lim := percentages(share, t.MaxNullPercentage)
			switch {
			case perOrganism:
				add(NullPercentageHigh, SeverityError, "%s of the study's cells are missing (%d of %d, each sample's in the gene rows holding any value of the study's samples of its organism; limit %s)",
					sh, missing, cells, lim)
			case without > 0:
				add(NullPercentageHigh, SeverityError, "%s of the study's cells are missing (%d of %d, in the %d gene rows holding any value of it; %d more rows hold none; limit %s)",
					sh, missing, cells, s.RowsWithValues, without, lim)
			default:
				add(NullPercentageHigh, SeverityError, "%s of the study's cells are missing (%d of %d; limit %s)", sh, missing, cells, lim)
			}
		}
	}
	if total := s.Rows + s.DuplicateRows; total > 0 && s.DuplicateRows > 0 {
		share := float64(s.DuplicateRows) / float64(total)
		sev := SeverityWarning
		if share > t.MaxDuplicatePercentage {
			sev = SeverityError
		}
		sh, lim := percentages(share, t.MaxDuplicatePercentage)
		add(DuplicateGenes, sev, "%d of %d gene rows %s an earlier gene id (%s, limit %s); the first row of each gene is kept",
			s.DuplicateRows, total, verb(s.DuplicateRows, "repeats", "repeat"), sh, lim)
	}
	if n := len(s.Measured); n < t.MinSamplesPerStudy {
		add(SampleCountLow, SeverityWarning, "the study has %d sample%s (minimum %d)", n, map[bool]string{true: "", false: "s"}[n == 1], t.MinSamplesPerStudy)
	}
	var low []string
	for _, sample := range slices.Sorted(maps.Keys(s.Measured)) {
		if m := s.Measured[sample]; m < t.MinGenesPerSample {
			low = append(low, fmt.Sprintf("%s (%d)", sample, m))
		}
	}
	if len(low) > 0 && !empty {
		shown := low
		if len(shown) > 5 {
			shown = append(shown[:5:5], "…")
		}
		add(GeneCountLow, SeverityWarning, "%d of %d samples %s fewer than %d measured genes: %s",
			len(low), len(s.Measured), verb(len(low), "has", "have"), t.MinGenesPerSample, strings.Join(shown, ", "))
	}
	if s.Negative > 0 && strings.EqualFold(s.Technology, "RNA-SEQ") {
		add(NegativeAbundance, SeverityWarning, "%d of the study's %d measured values %s below zero, which no RNA-seq abundance is: "+
			"its features are computed on the values as stored, not on log2(value + 1), so its fold changes are differences of abundances "+
			"(the values may be transformed already; check the download)", s.Negative, s.Cells-s.Missing, verb(s.Negative, "is", "are"))
	}
	return out
}

// Worst returns the highest severity among findings, and false when there
// are none.
func Worst(findings []*Error) (Severity, bool) {
	if len(findings) == 0 {
		return SeverityInfo, false
	}
	w := SeverityInfo
	for _, f := range findings {
		w = max(w, f.Severity)
	}
	return w, true
}

// percentages formats a share and the limit it is compared with as
// percentages, in as few decimals (two at least, six at most) as tell them
// apart: 0.108% over a limit of 0.1% must not read "0.10% (limit 0.10%)".
func percentages(share, limit float64) (string, string) {
	var a, b string
	for d := 2; d <= 6; d++ {
		a, b = fmt.Sprintf("%.*f%%", d, 100*share), fmt.Sprintf("%.*f%%", d, 100*limit)
		if a != b || share == limit {
			break
		}
	}
	return a, b
}

// verb is one's form of a verb when n is 1, else many's: "1 of 12 samples
// has", "2 of 12 samples have".
func verb[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
