package genexp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// writeMatrix writes a genes × len(samples) matrix at path.
func writeMatrix(t *testing.T, path string, genes int, samples []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Gene\t" + strings.Join(samples, "\t") + "\n")
	for g := range genes {
		fmt.Fprintf(&b, "ENSG%08d", g)
		for c := range samples {
			b.WriteString("\t" + value(g, c))
		}
		b.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, []byte(b.String()))
}

// A copy of a study that failed before its commit does not keep a later
// copy in the same run from loading: nothing of the first was loaded.
func TestFailedCopyLetsALaterCopyLoad(t *testing.T) {
	dir := t.TempDir()
	bad := crafted{study: "GSE61", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if g == 20 && c == 1 {
				return "Inf"
			}
			return value(g, c)
		}}
	good := crafted{study: "GSE61", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	for _, d := range []string{oldDir, newDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	first, second := bad.write(t, oldDir), good.write(t, newDir)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, first, second)
	if len(rep.Studies) != 2 || !errors.Is(rep.Studies[0].Err, qc.ParseError) {
		t.Fatalf("report %+v, want the first copy failed with a ParseError", rep.Studies)
	}
	if sr := rep.Studies[1]; sr.Err != nil || sr.Outcome != warehouse.Inserted {
		t.Fatalf("the good copy: outcome %q, error %v; want it loaded", sr.Outcome, sr.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 120 {
		t.Errorf("%d facts, want the good copy's 120", n)
	}
}

// An experiment the download's metadata lists, none of whose samples a
// matrix holds (a folder lost from an interrupted unzip), is reported: a
// WARNING naming it, not silence.
func TestListedExperimentWithoutMatrixIsReported(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "download")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "EXPERIMENT",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2"]},
  "GSE2": {"accession_code": "GSE2", "sample_accession_codes": ["GSM3", "GSM4", "GSM5"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1"}, "GSM2": {"refinebio_accession_code": "GSM2"},
  "GSM3": {"refinebio_accession_code": "GSM3"}, "GSM4": {"refinebio_accession_code": "GSM4"}, "GSM5": {"refinebio_accession_code": "GSM5"}}}`))
	writeMatrix(t, filepath.Join(dir, "GSE1", "GSE1.tsv"), 40, []string{"GSM1", "GSM2"})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Fatalf("report %+v, want GSE1 loaded", rep.Studies)
	}
	var found []*qc.Error
	for _, f := range rep.Findings {
		if f.Code == qc.SampleMismatch && f.Study == "GSE2" {
			found = append(found, f)
		}
	}
	if len(found) != 1 || found[0].Severity != qc.SeverityWarning || !strings.Contains(found[0].Msg, "lists 3 samples (GSM3, GSM4, GSM5), and no matrix of this run holds any of them") {
		t.Fatalf("findings about GSE2: %v, want one WARNING naming its samples", found)
	}
	for _, f := range rep.Findings {
		if f.Study == "GSE1" {
			t.Errorf("a finding about the loaded GSE1: %v", f)
		}
	}
}
