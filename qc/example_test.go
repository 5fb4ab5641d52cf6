package qc_test

import (
	"fmt"

	"github.com/genexp/genexp/qc"
)

// Two samples of 25 and 13 values: the exact distribution applies, and the
// figures are scipy.stats.ks_2samp's (statistic 0.88, p-value
// 3.1246824209076717e-07).
func ExampleKS2Samp() {
	a := []float64{0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64,
		-0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47}
	b := []float64{2.2, 1.6, 2.4, 2.9, 1.9, 2.6, 2.1, 3.3, 1.4, 2.8, 2.3, 1.8, 2.05}
	d, p := qc.KS2Samp(a, b)
	fmt.Printf("D = %.2f, p = %.4g\n", d, p)
	// Output: D = 0.88, p = 3.125e-07
}

// A DSN is printed with its secrets replaced, so logs can say which
// warehouse was meant.
func ExampleRedactDSN() {
	fmt.Println(qc.RedactDSN("sqlserver://loader:pa55word@db.example:1433?database=genexp"))
	fmt.Println(qc.RedactDSN("Server=db;User Id=loader;Password=pa55word;Database=genexp"))
	// Output:
	// sqlserver://loader:REDACTED@db.example:1433?database=genexp
	// Server=db;User Id=loader;Password=REDACTED;Database=genexp
}

// Validate judges one study's counts against the thresholds: here a study
// of 3 samples, one of which measured too few genes, with 12% of its cells
// missing. The share of missing cells is an ERROR that stops the study;
// the thin sample is a WARNING that would load.
func ExampleValidate() {
	s := qc.StudyStats{Study: "GSE1", File: "GSE1.tsv", Rows: 2000, Cells: 6000, Missing: 720,
		Measured: map[string]int64{"GSM1": 2000, "GSM2": 1960, "GSM3": 320}}
	for _, f := range qc.Validate(s, qc.DefaultThresholds()) {
		fmt.Println(f.Severity, f.Code.Name())
	}
	// Output:
	// ERROR VALIDATION_NULL_PERCENTAGE_HIGH
	// WARNING VALIDATION_GENE_COUNT_LOW
}
