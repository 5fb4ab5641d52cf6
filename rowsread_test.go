package genexp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
)

// TestExtractRowsReadLeavesOutDroppedDuplicates pins what the extract
// step's rows_read counts: the cells of the gene rows extracted, missing
// ones included, so that it is genes × samples of its own context_json and
// transform's rows_written is it less the missing cells. A repeated gene's
// later row is dropped, not extracted: its cells are not counted, and
// context_json's duplicate_genes says how many rows were dropped. Real
// GSE71270 (300 genes × 10 samples) with its first gene row repeated at
// the end, loaded into DuckDB.
func TestExtractRowsReadLeavesOutDroppedDuplicates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GSE71270")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "testdata/refinebio/GSE71270/GSE71270/"
	copyFile(t, src+"metadata_GSE71270.tsv", filepath.Join(dir, "metadata_GSE71270.tsv"))
	matrix, err := os.ReadFile(src + "GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(matrix), "\n")
	missing := 0
	for _, l := range lines[1:] {
		if l = strings.TrimRight(l, "\r\n"); l != "" {
			for _, c := range strings.Split(l, "\t")[1:] {
				if c == "" || c == "NA" {
					missing++
				}
			}
		}
	}
	if missing != 0 {
		t.Fatalf("the trimmed matrix has %d missing cells; the sums below assume none", missing)
	}
	repeated := lines[1]
	if !strings.HasSuffix(string(matrix), "\n") {
		matrix = append(matrix, '\n')
	}
	matrix = append(matrix, repeated...)
	if err := os.WriteFile(filepath.Join(dir, "GSE71270.tsv"), matrix, 0o644); err != nil {
		t.Fatal(err)
	}

	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	loadWith(t, w, cfg, dir)
	got := attemptRows(t, w, "GSE71270")
	ex := got["extract"]
	if ex.Status != "SUCCESS" || ex.Read == nil {
		t.Fatalf("extract: %+v", ex)
	}
	genes, samples, dups := ex.Context["genes"], ex.Context["samples"], ex.Context["duplicate_genes"]
	if genes != float64(300) || samples != float64(10) || dups != float64(1) {
		t.Fatalf("extract context: genes %v, samples %v, duplicate_genes %v; want 300, 10, 1", genes, samples, dups)
	}
	if *ex.Read != 300*10 {
		t.Errorf("extract rows_read %d, want 3000: the 300 extracted genes × 10 samples, the dropped repeat's 10 cells left out", *ex.Read)
	}
	written := count(t, w, `SELECT rows_written FROM meta_etl_process_log WHERE study_accession_code = 'GSE71270' AND step = 'transform'`)
	facts := count(t, w, `SELECT count(*) FROM fact_gene_expression`)
	if written != *ex.Read || facts != *ex.Read {
		t.Errorf("transform rows_written %d, fact rows %d; want both %d, extract's rows_read less no missing cells", written, facts, *ex.Read)
	}
}
