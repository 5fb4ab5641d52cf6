package qc

import (
	"fmt"
	"strings"
)

// Thresholds are the quality limits a study is held to (the
// quality_thresholds section of the configuration).
type Thresholds struct {
	// MaxNullPercentage is the largest share (0–1) of missing cells a study
	// may have. Default 0.1.
	MaxNullPercentage float64 `yaml:"max_null_percentage"`
	// MaxDuplicatePercentage is the largest share (0–1) of gene rows that
	// may repeat an earlier row's gene id. Default 0.05.
	MaxDuplicatePercentage float64 `yaml:"max_duplicate_percentage"`
	// MinGenesPerSample is the fewest measured (non-missing) genes a sample
	// may have. Default 1000.
	MinGenesPerSample int64 `yaml:"min_genes_per_sample"`
	// MinSamplesPerStudy is the fewest samples a study may have. Default 3.
	MinSamplesPerStudy int `yaml:"min_samples_per_study"`
}

// DefaultThresholds returns the architecture document's thresholds.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MaxNullPercentage:      0.1,
		MaxDuplicatePercentage: 0.05,
		MinGenesPerSample:      1000,
		MinSamplesPerStudy:     3,
	}
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
	// Measured maps each sample to its number of non-missing cells.
	Measured map[string]int64
}

// Validate checks a study against the thresholds and returns its findings:
// ERROR findings stop the study, WARNING findings load and stay visible.
func Validate(s StudyStats, t Thresholds) []*Error {
	var out []*Error
	add := func(code Code, sev Severity, format string, args ...any) {
		out = append(out, &Error{Code: code, Severity: sev, Study: s.Study, File: s.File, Msg: fmt.Sprintf(format, args...)})
	}
	if s.Cells > 0 {
		share := float64(s.Missing) / float64(s.Cells)
		if share > t.MaxNullPercentage {
			add(NullPercentageHigh, SeverityError, "%.1f%% of the study's cells are missing (limit %.1f%%)", 100*share, 100*t.MaxNullPercentage)
		}
	}
	if total := s.Rows + s.DuplicateRows; total > 0 && s.DuplicateRows > 0 {
		share := float64(s.DuplicateRows) / float64(total)
		sev := SeverityWarning
		if share > t.MaxDuplicatePercentage {
			sev = SeverityError
		}
		add(DuplicateGenes, sev, "%d of %d gene rows repeat an earlier gene id (%.2f%%, limit %.2f%%); the first row of each gene is kept",
			s.DuplicateRows, total, 100*share, 100*t.MaxDuplicatePercentage)
	}
	if n := len(s.Measured); n < t.MinSamplesPerStudy {
		add(SampleCountLow, SeverityWarning, "the study has %d samples (minimum %d)", n, t.MinSamplesPerStudy)
	}
	var low []string
	for _, sample := range sortedKeys(s.Measured) {
		if m := s.Measured[sample]; m < t.MinGenesPerSample {
			low = append(low, fmt.Sprintf("%s (%d)", sample, m))
		}
	}
	if len(low) > 0 {
		shown := low
		if len(shown) > 5 {
			shown = append(shown[:5:5], "…")
		}
		add(GeneCountLow, SeverityWarning, "%d of %d samples have fewer than %d measured genes: %s",
			len(low), len(s.Measured), t.MinGenesPerSample, strings.Join(shown, ", "))
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
