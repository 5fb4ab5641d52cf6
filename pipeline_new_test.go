package genexp_test

import (
	"errors"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// New refuses what would only fail later, in the middle of a Load: no
// sink, or a nil option.
func TestNewRefusesNilArguments(t *testing.T) {
	var nilWarehouse *duckdb.Warehouse
	for name, tc := range map[string]struct {
		sink warehouse.WarehouseSink
		opts []genexp.Option
	}{
		"nil sink":       {nil, nil},
		"typed nil sink": {nilWarehouse, nil},
		"nil option":     {genexp.DryRunSink(nil), []genexp.Option{genexp.WithConfig(genexp.DefaultConfig()), nil}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := genexp.New(tc.sink, tc.opts...)
			if err == nil || p != nil {
				t.Fatalf("New = %v, %v; want an error", p, err)
			}
			if !errors.Is(err, qc.ConfigInvalid) {
				t.Errorf("error %v is not ConfigInvalid", err)
			}
		})
	}
}

// A section of the configuration left at its zero value takes
// DefaultConfig's, as Config's doc says; a section that is set is used as
// it is. The study has 1 missing cell of 120 (0.8%) and 40 genes.
func TestZeroConfigSectionsTakeDefaults(t *testing.T) {
	dir := t.TempDir()
	folder := crafted{study: "GSE81", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if g == 5 && c == 1 {
				return "NA"
			}
			return value(g, c)
		}}.write(t, dir)
	strict := qc.DefaultThresholds()
	strict.MaxNullPercentage = 0.005
	for _, tc := range []struct {
		name     string
		cfg      genexp.Config
		rejected bool
		rows     int64 // fact rows when loaded
	}{
		{"zero config", genexp.Config{}, false, 119},
		{"processing only", genexp.Config{Processing: genexp.ProcessingConfig{MissingValues: "null"}}, false, 120},
		{"quality only", genexp.Config{Quality: strict}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			sr := loadWith(t, w, tc.cfg, folder).Studies[0]
			codes := map[qc.Code]bool{}
			for _, f := range sr.Findings {
				codes[f.Code] = true
			}
			if tc.rejected {
				if !errors.Is(sr.Err, qc.NullPercentageHigh) {
					t.Fatalf("err = %v, want NullPercentageHigh", sr.Err)
				}
				return
			}
			if sr.Err != nil {
				t.Fatalf("rejected: %v", sr.Err)
			}
			// The default MinGenesPerSample (1000) is in force: 40 genes
			// are too few.
			if !codes[qc.GeneCountLow] {
				t.Errorf("no GeneCountLow finding: %v", sr.Findings)
			}
			if got := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); got != tc.rows {
				t.Errorf("fact rows = %d, want %d", got, tc.rows)
			}
		})
	}
}

// TestZeroSectionOfAFileIsRefused: a file that writes every threshold as
// 0 is refused at the section's key, since New would read those zeros as
// the defaults; a file that turns the checks off by their limits loads.
func TestZeroSectionOfAFileIsRefused(t *testing.T) {
	_, err := genexp.ParseConfig([]byte("processing:\n  chunk_size: 0\nquality_thresholds:\n"+
		"  max_null_percentage: 0\n  max_duplicate_percentage: 0\n  min_genes_per_sample: 0\n"+
		"  min_samples_per_study: 0\n  min_ks_pvalue: 0\n  min_ks_statistic: 0\n"), "zero.yaml")
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.Path != "quality_thresholds" || e.Line != 3 || e.Column != 1 {
		t.Fatalf("err = %v, want ConfigInvalid at zero.yaml:3:1 quality_thresholds", err)
	}
	dir := t.TempDir()
	folder := crafted{study: "GSE82", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if g == 5 && c == 1 {
				return "NA"
			}
			return value(g, c)
		}}.write(t, dir)
	cfg, err := genexp.ParseConfig([]byte("quality_thresholds:\n"+
		"  max_null_percentage: 1\n  max_duplicate_percentage: 1\n  min_genes_per_sample: 0\n"+
		"  min_samples_per_study: 0\n  min_ks_pvalue: 0\n"), "off.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sr := loadWith(t, openWarehouse(t), cfg, folder).Studies[0]
	if sr.Err != nil {
		t.Fatalf("rejected with the checks off: %v", sr.Err)
	}
	for _, f := range sr.Findings {
		if f.Code == qc.GeneCountLow || f.Code == qc.NullPercentageHigh {
			t.Errorf("a finding with its check off: %v", f)
		}
	}
}

// The report's KS result says how many values the worst sample had and
// how large the pool was, as the DistributionShift finding does.
func TestStudyReportKSCounts(t *testing.T) {
	w := openWarehouse(t)
	sr := load(t, w, "testdata/refinebio/GSE71270").Studies[0]
	if sr.KS == nil {
		t.Fatal("no KS result")
	}
	perSample := (sr.Cells - sr.Missing) / int64(sr.Samples)
	if sr.Missing != 0 || int64(sr.KS.Values) != perSample || int64(sr.KS.Pool) != sr.Cells {
		t.Errorf("KS = %+v, want %d values against a pool of %d", *sr.KS, perSample, sr.Cells)
	}
}

// A matrix that fails to parse belongs to one study: its error names it,
// as the report row does.
func TestMatrixParseErrorNamesStudy(t *testing.T) {
	dir := t.TempDir()
	bad := crafted{study: "GSE82", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if g == 7 && c == 2 {
				return "12,5x"
			}
			return value(g, c)
		}}.write(t, dir)
	headerOnly := t.TempDir()
	noSamples := crafted{study: "GSE83", genes: 2, columns: nil, sheet: samples("GSM", 3)}.write(t, headerOnly)
	for name, tc := range map[string]struct {
		folder, study string
		code          qc.Code
	}{
		"bad cell":          {bad, "GSE82", qc.ParseError},
		"header no samples": {noSamples, "GSE83", qc.InvalidFormat},
	} {
		t.Run(name, func(t *testing.T) {
			sr := loadOne(t, openWarehouse(t), genexp.DefaultConfig(), tc.folder)
			if sr.Study != tc.study {
				t.Fatalf("report: %+v", sr)
			}
			var e *qc.Error
			if !errors.As(sr.Err, &e) || e.Code != tc.code {
				t.Fatalf("err = %v, want code %v", sr.Err, tc.code)
			}
			if e.Study != tc.study {
				t.Errorf("error's study = %q, want %q (%v)", e.Study, tc.study, e)
			}
		})
	}
}
