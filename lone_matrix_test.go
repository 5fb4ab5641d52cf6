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

// TestLoneMatrixNamedForNoStudy: a matrix given alone, with no metadata,
// whose file name is no study accession ("expression.tsv") fails with a
// 2001 ERROR that says how to name it, and writes nothing. It used to load
// as a study "expression", which an unrelated expression.tsv loaded later
// replaced without a word. Named for its study, the same file loads.
func TestLoneMatrixNamedForNoStudy(t *testing.T) {
	dir := t.TempDir()
	src := readFile(t, "testdata/refinebio/quickstart/GSE71270/GSE71270.tsv")
	lone := filepath.Join(dir, "expression.tsv")
	named := filepath.Join(dir, "GSE71270.tsv")
	for _, p := range []string{lone, named} {
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := openWarehouse(t)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), lone, named)
	if err != nil || len(rep.Studies) != 2 {
		t.Fatalf("Load: %v %+v", err, rep)
	}
	failed, loaded := rep.Studies[0], rep.Studies[1]
	var e *qc.Error
	if !errors.As(failed.Err, &e) || e.Code != qc.SampleMismatch || failed.Study != "" ||
		!strings.Contains(failed.Err.Error(), `its file name "expression" is no study accession`) {
		t.Errorf("expression.tsv: study %q, %v; want refused, naming no study", failed.Study, failed.Err)
	}
	if loaded.Study != "GSE71270" || loaded.Err != nil || loaded.Outcome != warehouse.Inserted {
		t.Errorf("GSE71270.tsv: %s %v %v", loaded.Study, loaded.Outcome, loaded.Err)
	}
	var studies int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM dim_study`).Scan(&studies); err != nil || studies != 1 {
		t.Errorf("%d studies in dim_study (%v), want GSE71270 alone", studies, err)
	}
}

// TestLoneMatrixReasonFirst: the whole matrix's ERROR is the failure's
// message even when a column's finding comes before it.
func TestLoneMatrixReasonFirst(t *testing.T) {
	lone := filepath.Join(t.TempDir(), "expression.tsv")
	if err := os.WriteFile(lone, []byte("Gene\tGSM1\tnot an accession\nG1\t1\t2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), lone)
	if err != nil || len(rep.Studies) != 1 {
		t.Fatalf("Load: %v %+v", err, rep)
	}
	if msg := rep.Studies[0].Err.Error(); !strings.Contains(msg, "the matrix names no study") || strings.Contains(msg, "first:") {
		t.Errorf("failure %q, want the matrix's own reason", msg)
	}

	// With 2001 raised to ERROR, the summary of the columns past the 20
	// listed is an ERROR about no one column too: the reason still wins.
	header := "Gene\tGSM1"
	for i := range 25 {
		header += fmt.Sprintf("\tpatient %d", i)
	}
	if err := os.WriteFile(lone, []byte(header+"\nG1"+strings.Repeat("\t1", 26)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := genexp.DefaultConfig()
	cfg.Quality.Severities = map[string]string{"2001": "ERROR"}
	if p, err = genexp.New(openWarehouse(t), genexp.WithConfig(cfg)); err != nil {
		t.Fatal(err)
	}
	if rep, err = p.Load(context.Background(), lone); err != nil || len(rep.Studies) != 1 {
		t.Fatalf("Load: %v %+v", err, rep)
	}
	if msg := rep.Studies[0].Err.Error(); !strings.Contains(msg, "the matrix names no study") {
		t.Errorf("failure %q, want the matrix's own reason", msg)
	}
}

// TestLoneMatrixOfTitles: a matrix named for its study whose columns are
// all sample titles (the 2018 E-GEOD-39842 layout), given without its
// metadata, fails with one 2001 ERROR that says the columns are titles and
// how to give the metadata; it used to list a WARNING per column, each
// repeating the same advice, under an error quoting the first. A matrix of
// accessions with one title among them still names that column.
func TestLoneMatrixOfTitles(t *testing.T) {
	dir := t.TempDir()
	lone := filepath.Join(dir, "E-GEOD-39842.tsv")
	if err := os.WriteFile(lone, readFile(t, "testdata/refinebio/early-2018/E-GEOD-39842.tsv"), 0o644); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "GSE6.tsv")
	if err := os.WriteFile(one, []byte("Gene\tkidney, control fish 3\nG1\t3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mixed := filepath.Join(dir, "GSE5.tsv")
	if err := os.WriteFile(mixed, []byte("Gene\tGSM1\tGSM2\tkidney, control fish 3\nG1\t1\t2\t3\nG2\t4\t5\t6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), lone, mixed, one)
	if err != nil || len(rep.Studies) != 3 {
		t.Fatalf("Load: %v %+v", err, rep)
	}
	titles, some, single := rep.Studies[0], rep.Studies[1], rep.Studies[2]
	if !errors.Is(single.Err, qc.SampleMismatch) || len(single.Findings) != 1 ||
		!strings.Contains(single.Err.Error(), `the matrix's one column is not a sample accession: it is a sample title ("kidney, control fish 3")`) {
		t.Errorf("GSE6: %v, %d findings; want the one error saying its column is a title", single.Err, len(single.Findings))
	}
	var e *qc.Error
	if !errors.As(titles.Err, &e) || e.Code != qc.SampleMismatch || titles.Study != "E-GEOD-39842" ||
		!strings.Contains(e.Msg, "none of the matrix's 12 columns is a sample accession: they are sample titles") ||
		!strings.Contains(e.Msg, "--metadata") || strings.Contains(e.Msg, "first:") {
		t.Errorf("E-GEOD-39842: %s %v; want one error saying the columns are titles", titles.Study, titles.Err)
	}
	if n := len(titles.Findings); n != 1 {
		t.Errorf("E-GEOD-39842: %d findings, want the one: %v", n, titles.Findings)
	}
	if some.Err != nil || some.Samples != 2 {
		t.Fatalf("GSE5: %d samples, %v; want GSM1 and GSM2 loaded", some.Samples, some.Err)
	}
	var named bool
	for _, f := range some.Findings {
		named = named || f.Column == 4 && strings.Contains(f.Msg, `column "kidney, control fish 3" is not a sample accession`)
	}
	if !named {
		t.Errorf("GSE5: no finding names its title column: %v", some.Findings)
	}
}
