package genexp_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestAddedMetadataDescribingNoSampleIsSaid: a metadata file given with
// the downloads (--metadata) that describes none of the samples the run's
// matrices hold was used for nothing, in silence; the run now ends with a
// 2001 WARNING naming the file. The right file gives none, alone or beside
// the download's own sheet.
func TestAddedMetadataDescribingNoSampleIsSaid(t *testing.T) {
	dir := t.TempDir()
	matrix := filepath.Join(dir, "GSE71270.tsv")
	copyFile(t, "testdata/refinebio/quickstart/GSE71270/GSE71270.tsv", matrix)
	wrong := filepath.Join("testdata", "refinebio", "SRP110235", "SRP110235", "metadata_SRP110235.tsv")
	right := filepath.Join("testdata", "refinebio", "quickstart", "GSE71270", "metadata_GSE71270.tsv")
	folder := "testdata/refinebio/quickstart/GSE71270" // with its own sample sheet
	for _, tc := range []struct {
		path, sheet string
		warn        bool
	}{{folder, wrong, true}, {matrix, right, false}, {folder, right, false}} {
		p, err := genexp.New(openWarehouse(t), genexp.WithDownloadOptions(genexp.WithMetadataFiles(tc.sheet)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), tc.path)
		if err != nil || rep.Failed() {
			t.Fatalf("%s: %v %+v", tc.sheet, err, rep)
		}
		said := unusedSheetWarnings(rep, tc.sheet)
		if tc.warn != (len(said) == 1) {
			t.Errorf("--metadata %s: warnings %q, want one: %v", tc.sheet, said, tc.warn)
		}
	}

	// A file describing the samples of a study the study filter leaves out
	// described them: no warning. Nor when a matrix failed before its
	// header was read, whose samples it may describe.
	cfg := genexp.DefaultConfig()
	cfg.Processing.StudyCodePattern = `GSE\d+`
	srp := filepath.Join("testdata", "refinebio", "SRP110235", "SRP110235")
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg), genexp.WithDownloadOptions(genexp.WithMetadataFiles(wrong)))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), folder, filepath.Join(srp, "SRP110235.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if said := unusedSheetWarnings(rep, wrong); len(said) != 0 {
		t.Errorf("the filtered study's sheet said unused: %q", said)
	}
	p, err = genexp.New(openWarehouse(t), genexp.WithDownloadOptions(genexp.WithMetadataFiles(wrong)))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err = p.Load(context.Background(), folder, filepath.Join(dir, "nothing-here")); err != nil {
		t.Fatal(err)
	}
	if said := unusedSheetWarnings(rep, wrong); len(said) != 0 {
		t.Errorf("a path that did not open may be the one the sheet describes: %q", said)
	}
}

func unusedSheetWarnings(rep *genexp.Report, sheet string) []string {
	var said []string
	for _, f := range rep.Findings {
		if f.File == sheet && f.Code == qc.SampleMismatch && f.Severity == qc.SeverityWarning &&
			strings.Contains(f.Msg, "describes none of the samples this run's matrices hold") {
			said = append(said, f.Error())
		}
	}
	return said
}
