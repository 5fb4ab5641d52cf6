package genexp_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// writeTwoOrganismsSPECIES writes the SPECIES download of the samples and
// values of writeTwoOrganismsALL: GSE1's human samples (GSM1, GSM2) and
// GSE2's (GSM5, GSM6) in HOMO_SAPIENS.tsv with the 40 human genes, GSE1's
// mouse samples (GSM3, GSM4) in MUS_MUSCULUS.tsv with the 40 mouse genes.
// organisms false leaves the samples' organisms out of the metadata.
func writeTwoOrganismsSPECIES(t *testing.T, organisms bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "species")
	org := func(o string) string {
		if !organisms {
			return ""
		}
		return `, "refinebio_organism": "` + o + `"`
	}
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2", "GSM3", "GSM4"]},
  "GSE2": {"accession_code": "GSE2", "sample_accession_codes": ["GSM5", "GSM6"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1"`+org("HOMO_SAPIENS")+`},
  "GSM2": {"refinebio_accession_code": "GSM2"`+org("HOMO_SAPIENS")+`},
  "GSM3": {"refinebio_accession_code": "GSM3"`+org("MUS_MUSCULUS")+`},
  "GSM4": {"refinebio_accession_code": "GSM4"`+org("MUS_MUSCULUS")+`},
  "GSM5": {"refinebio_accession_code": "GSM5"`+org("HOMO_SAPIENS")+`},
  "GSM6": {"refinebio_accession_code": "GSM6"`+org("HOMO_SAPIENS")+`}}}`))
	// ALL-matrix column of each sample, so that the values are the same.
	write := func(name, gene string, from int, columns []int) {
		var b strings.Builder
		b.WriteString("Gene")
		for _, c := range columns {
			fmt.Fprintf(&b, "\tGSM%d", c+1)
		}
		b.WriteString("\n")
		for g := from; g < from+40; g++ {
			fmt.Fprintf(&b, "%s%08d", gene, g)
			for _, c := range columns {
				if g == 0 && c == 1 {
					b.WriteString("\tNA")
				} else {
					b.WriteString("\t" + value(g, c))
				}
			}
			b.WriteString("\n")
		}
		writeFile(t, filepath.Join(dir, name, name+".tsv"), []byte(b.String()))
	}
	write("HOMO_SAPIENS", "ENSG", 0, []int{0, 1, 4, 5})
	write("MUS_MUSCULUS", "ENSMUSG", 40, []int{2, 3})
	return dir
}

// studyFacts lists a warehouse's facts as "study gene sample value" lines,
// sorted.
func studyFacts(t *testing.T, w *duckdb.Warehouse) []string {
	t.Helper()
	rows, err := w.DB().Query(`SELECT st.study_accession_code, g.gene_id, s.sample_accession_code, CAST(f.expression_value AS VARCHAR)
		FROM fact_gene_expression f JOIN dim_study st USING (study_key) JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var study, gene, sample string
		var v *string
		if err := rows.Scan(&study, &gene, &sample, &v); err != nil {
			t.Fatal(err)
		}
		val := "NULL"
		if v != nil {
			val = *v
		}
		out = append(out, study+" "+gene+" "+sample+" "+val)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// studyQC lists each study's row of meta_study_qc, its figures only.
func studyQC(t *testing.T, w *duckdb.Warehouse) []string {
	t.Helper()
	rows, err := w.DB().Query(`SELECT s.study_accession_code, q.gene_count, q.sample_count, q.cell_count, q.missing_cells, q.duplicate_genes,
		CAST(q.ks_statistic_recomputed AS VARCHAR), CAST(q.ks_pvalue_recomputed AS VARCHAR), q.ks_worst_sample
		FROM meta_study_qc q JOIN dim_study s USING (study_key) ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var study string
		var genes, samples, cells, missing, dups int64
		var ks, p, worst *string
		if err := rows.Scan(&study, &genes, &samples, &cells, &missing, &dups, &ks, &p, &worst); err != nil {
			t.Fatal(err)
		}
		str := func(s *string) string {
			if s == nil {
				return "NULL"
			}
			return *s
		}
		out = append(out, fmt.Sprintf("%s genes=%d samples=%d cells=%d missing=%d dups=%d ks=%s p=%s worst=%s",
			study, genes, samples, cells, missing, dups, str(ks), str(p), str(worst)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A study of two organisms in a SPECIES download, whose samples refine.bio
// splits between the organisms' matrices, loads whole, in one batch: its
// facts, counts and KS figures are those of the same samples and values in
// an ALL download. The study of one organism beside it loads as in the ALL
// download too. Missing cells kept as NULL are each matrix's own: no NULL
// fact for a gene of the other organism, which an ALL matrix's rows give
// (its missing cells and counts are those of the ALL download with missing
// cells skipped, plus its one missing cell as NULL).
func TestStudySplitBetweenSpeciesMatricesLoadsWhole(t *testing.T) {
	for _, missing := range []string{"skip", "null"} {
		t.Run(missing, func(t *testing.T) {
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			cfg.Processing.MissingValues = missing
			all, species := openWarehouse(t), openWarehouse(t)
			skip := cfg
			skip.Processing.MissingValues = "skip"
			loadWith(t, all, skip, writeTwoOrganismsALL(t))
			rep := loadWith(t, species, cfg, writeTwoOrganismsSPECIES(t, true))
			if len(rep.Studies) != 2 {
				t.Fatalf("report %+v, want GSE1 and GSE2 once each", rep.Studies)
			}
			for _, sr := range rep.Studies {
				if sr.Err != nil || sr.Outcome != warehouse.Inserted {
					t.Fatalf("study %s: outcome %q, error %v; want it loaded", sr.Study, sr.Outcome, sr.Err)
				}
				if !strings.Contains(sr.Matrix, "HOMO_SAPIENS.tsv + ") || !strings.HasSuffix(sr.Matrix, "MUS_MUSCULUS.tsv") {
					t.Errorf("study %s: matrix %q, want both matrices named", sr.Study, sr.Matrix)
				}
			}
			if sr := rep.Studies[0]; sr.Study != "GSE1" || sr.Samples != 4 || sr.KS == nil || len(sr.KS.Samples) != 4 {
				t.Errorf("GSE1: %d samples, KS %+v; want its 4 samples loaded and checked", sr.Samples, sr.KS)
			}
			a, s := studyFacts(t, all), studyFacts(t, species)
			if missing == "null" {
				a = append(a, "GSE1 ENSG00000000 GSM2 NULL")
				slices.Sort(a)
			}
			if len(a) == 0 || !slices.Equal(a, s) {
				t.Errorf("facts differ from the ALL download's: %d here, %d there", len(s), len(a))
			}
			if aq, sq := studyQC(t, all), studyQC(t, species); !slices.Equal(aq, sq) {
				t.Errorf("QC\n%s\nwant the ALL download's\n%s", strings.Join(sq, "\n"), strings.Join(aq, "\n"))
			}
		})
	}
}

// Without the samples' organisms, whose genes each matrix's rows are
// cannot be told, and the matrices are not joined: the split study loads
// from the first matrix, and the second's samples of it fail with an error
// that names them and says why.
func TestSpeciesMatricesOfUnknownOrganismsAreNotJoined(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, writeTwoOrganismsSPECIES(t, false))
	if len(rep.Studies) != 3 {
		t.Fatalf("report %+v, want GSE1 and GSE2 from HOMO_SAPIENS, GSE1 refused from MUS_MUSCULUS", rep.Studies)
	}
	var e *qc.Error
	if last := rep.Studies[2]; last.Study != "GSE1" || !errors.As(last.Err, &e) || e.Code != qc.DuplicateSamples ||
		!strings.Contains(e.Msg, "none of this matrix's (GSM3, GSM4) is among them") {
		t.Fatalf("MUS_MUSCULUS's GSE1: %v, want a DuplicateSamples error naming GSM3 and GSM4 as not loaded", last.Err)
	}
	if strings.Contains(e.Msg, "another download") || !strings.Contains(e.Msg, "could not be") {
		t.Errorf("MUS_MUSCULUS's GSE1: %q, want it to say the matrices of its download could not be loaded together", e.Msg)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) WHERE s.study_accession_code = 'GSE1'`); n != 79 {
		t.Errorf("GSE1 holds %d facts, want the human matrix's 79", n)
	}
}

// The samples a split study misses are those neither of its matrices
// holds: a sample whose organism the metadata does not name, held by the
// mouse matrix, is loaded and missing from neither; a listed human sample
// that no matrix holds is missing, reported once, naming both matrices.
func TestSpeciesUnitReportsMissingSamplesOverBothMatrices(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2", "GSM3", "GSM4", "GSM7"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM3": {"refinebio_accession_code": "GSM3", "refinebio_organism": "MUS_MUSCULUS"},
  "GSM4": {"refinebio_accession_code": "GSM4"},
  "GSM7": {"refinebio_accession_code": "GSM7", "refinebio_organism": "HOMO_SAPIENS"}}}`))
	writeMatrix(t, filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv"), 40, []string{"GSM1", "GSM2"})
	mouse := filepath.Join(dir, "MUS_MUSCULUS", "MUS_MUSCULUS.tsv")
	writeMatrix(t, mouse, 40, []string{"GSM3", "GSM4"})
	text, err := os.ReadFile(mouse)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, mouse, []byte(strings.ReplaceAll(string(text), "ENSG", "ENSMUSG")))
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Samples != 4 {
		t.Fatalf("report %+v, want GSE1 loaded from both matrices", rep.Studies)
	}
	var missing []string
	for _, f := range rep.Studies[0].Findings {
		if f.Code == qc.SampleMismatch && strings.Contains(f.Msg, "no column in the matrix") {
			missing = append(missing, f.File+": "+f.Msg)
		}
	}
	if len(missing) != 1 || !strings.Contains(missing[0], "HOMO_SAPIENS.tsv + ") || !strings.Contains(missing[0], "1 sample of study GSE1 has no column in the matrix: GSM7;") {
		t.Errorf("missing-sample findings:\n%s\nwant one, of GSM7 alone, naming both matrices", strings.Join(missing, "\n"))
	}
}

// Which matrices load together does not depend on the study filter: a
// study of one organism beside a split one keeps its batch whether the
// split study is filtered out or not, so the same files load once.
func TestSpeciesUnitDoesNotDependOnTheStudyFilter(t *testing.T) {
	dir := writeTwoOrganismsSPECIES(t, true)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	loadWith(t, w, cfg, dir)
	for _, pattern := range []string{"GSE2", ""} {
		cfg.Processing.StudyCodePattern = pattern
		rep := loadWith(t, w, cfg, dir)
		for _, sr := range rep.Studies {
			if sr.Outcome == genexp.Skipped {
				continue
			}
			if sr.Err != nil || sr.Outcome != warehouse.Duplicate {
				t.Errorf("filter %q, study %s: outcome %q, error %v; want a duplicate", pattern, sr.Study, sr.Outcome, sr.Err)
			}
		}
	}
}

// Two matrices of different organisms holding one gene id would give it
// two rows: matrices loaded together refuse it, naming the gene's line.
func TestSpeciesUnitRefusesAGeneOfBothMatrices(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2", "GSM3", "GSM4"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM3": {"refinebio_accession_code": "GSM3", "refinebio_organism": "MUS_MUSCULUS"},
  "GSM4": {"refinebio_accession_code": "GSM4", "refinebio_organism": "MUS_MUSCULUS"}}}`))
	writeMatrix(t, filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv"), 40, []string{"GSM1", "GSM2"})
	mouse := filepath.Join(dir, "MUS_MUSCULUS", "MUS_MUSCULUS.tsv")
	writeMatrix(t, mouse, 40, []string{"GSM3", "GSM4"})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	var e *qc.Error
	if len(rep.Studies) != 1 || !errors.As(rep.Studies[0].Err, &e) || e.Code != qc.DuplicateGenes || e.File != mouse || e.Line != 2 ||
		!strings.Contains(e.Msg, "gene ENSG00000000 is in ") {
		t.Fatalf("report %+v, want GSE1 failed with a DuplicateGenes error at %s line 2", rep.Studies, mouse)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 0 {
		t.Errorf("%d facts, want none", n)
	}
}

// A SPECIES study both of whose matrices hold one sample is a copy, not a
// split: the matrices are not joined, although another study is split
// between them, and the later copy is refused as before.
func TestSpeciesCopyKeepsMatricesApart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2"]},
  "GSE2": {"accession_code": "GSE2", "sample_accession_codes": ["GSM3"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "MUS_MUSCULUS"},
  "GSM3": {"refinebio_accession_code": "GSM3", "refinebio_organism": "HOMO_SAPIENS"}}}`))
	writeMatrix(t, filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv"), 40, []string{"GSM1", "GSM3"})
	writeMatrix(t, filepath.Join(dir, "MUS_MUSCULUS", "MUS_MUSCULUS.tsv"), 40, []string{"GSM2", "GSM3"})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cfg.Quality.MinSamplesPerStudy = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 4 {
		t.Fatalf("report %+v, want GSE1 and GSE2 from each matrix", rep.Studies)
	}
	for i, sr := range rep.Studies {
		if strings.Contains(sr.Matrix, " + ") || (i < 2) != (sr.Err == nil) {
			t.Errorf("study %s of %s: error %v; want the human matrix's loaded and the mouse matrix's refused", sr.Study, sr.Matrix, sr.Err)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 80 {
		t.Errorf("%d facts, want the human matrix's 80", n)
	}
}

// The batch of matrices loaded together is one content: loaded again it is
// a duplicate; a cell changed in either matrix replaces every study of
// them, in one commit. meta_batch records both matrices and, as the hash,
// the SHA-256 of their two hashes.
func TestStudySplitBetweenSpeciesMatricesReloads(t *testing.T) {
	dir := writeTwoOrganismsSPECIES(t, true)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	loadWith(t, w, cfg, dir)
	rep := loadWith(t, w, cfg, dir)
	for _, sr := range rep.Studies {
		if sr.Err != nil || sr.Outcome != warehouse.Duplicate {
			t.Fatalf("rerun, study %s: outcome %q, error %v; want a duplicate", sr.Study, sr.Outcome, sr.Err)
		}
	}
	var sums []string
	for _, o := range []string{"HOMO_SAPIENS", "MUS_MUSCULUS"} {
		b, err := os.ReadFile(filepath.Join(dir, o, o+".tsv"))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		sums = append(sums, hex.EncodeToString(h[:])+"\n")
	}
	h := sha256.Sum256([]byte(strings.Join(sums, "")))
	var name, hash string
	if err := w.DB().QueryRow(`SELECT file_name, file_hash FROM meta_batch WHERE study_accession_code = 'GSE1' AND is_current`).Scan(&name, &hash); err != nil {
		t.Fatal(err)
	}
	if hash != hex.EncodeToString(h[:]) || !strings.HasSuffix(name, "MUS_MUSCULUS.tsv") || !strings.Contains(name, "HOMO_SAPIENS.tsv + /") {
		t.Errorf("meta_batch: file %q, hash %s; want both files and the hash of their hashes %x", name, hash, h)
	}

	// The download's zip holds the same matrices: its batch is the same.
	zip := filepath.Join(t.TempDir(), "species.zip")
	zipTree(t, dir, zip, "")
	rep = loadWith(t, w, cfg, zip)
	for _, sr := range rep.Studies {
		if sr.Err != nil || sr.Outcome != warehouse.Duplicate || !strings.Contains(sr.Matrix, "species.zip!") {
			t.Fatalf("the zip, study %s of %s: outcome %q, error %v; want a duplicate", sr.Study, sr.Matrix, sr.Outcome, sr.Err)
		}
	}

	mouse := filepath.Join(dir, "MUS_MUSCULUS", "MUS_MUSCULUS.tsv")
	editLines(t, mouse, func(i int, line string) (string, bool) {
		if i == 1 {
			f := strings.Split(line, "\t")
			f[1] = "12345.5"
			return strings.Join(f, "\t"), true
		}
		return line, true
	})
	rep = loadWith(t, w, cfg, dir)
	for _, sr := range rep.Studies {
		if sr.Err != nil || sr.Outcome != warehouse.Replaced {
			t.Fatalf("changed mouse cell, study %s: outcome %q, error %v; want it replaced", sr.Study, sr.Outcome, sr.Err)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) WHERE s.study_accession_code = 'GSE1'`); n != 159 {
		t.Errorf("GSE1 holds %d facts after the replace, want 159", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value = 12345.5`); n != 1 {
		t.Errorf("%d facts hold the changed value, want 1", n)
	}
}

// A study that two SPECIES matrices hold with the same samples is a copy,
// not a split: the later copy is still refused, and each of its matrices'
// other studies loads on its own.
func TestSpeciesCopiesAreNotLoadedTogether(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2"]},
  "GSE2": {"accession_code": "GSE2", "sample_accession_codes": ["GSM3"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1"}, "GSM2": {"refinebio_accession_code": "GSM2"},
  "GSM3": {"refinebio_accession_code": "GSM3"}}}`))
	writeMatrix(t, filepath.Join(dir, "A", "A.tsv"), 40, []string{"GSM1", "GSM2", "GSM3"})
	writeMatrix(t, filepath.Join(dir, "B", "B.tsv"), 40, []string{"GSM1", "GSM2"})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 3 {
		t.Fatalf("report %+v, want GSE1 and GSE2 from A, GSE1 refused from B", rep.Studies)
	}
	last := rep.Studies[2]
	if !strings.HasSuffix(last.Matrix, "B.tsv") || strings.Contains(last.Matrix, " + ") || !errors.Is(last.Err, qc.DuplicateSamples) {
		t.Errorf("B's GSE1: matrix %q, error %v; want B's copy refused on its own", last.Matrix, last.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 120 {
		t.Errorf("%d facts, want A's 120", n)
	}
}

// A study whose samples two downloads split between them (the human and the
// mouse samples downloaded apart) loads from the first download given; the
// second's samples of it fail with an error that names them and says why,
// and does not advise loading that download alone.
func TestStudySplitBetweenDownloads(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []struct{ organism, first, second string }{{"HOMO_SAPIENS", "GSM1", "GSM2"}, {"MUS_MUSCULUS", "GSM3", "GSM4"}} {
		writeFile(t, filepath.Join(dir, d.organism, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["`+d.first+`", "`+d.second+`"]}},
 "samples": {"`+d.first+`": {"refinebio_accession_code": "`+d.first+`"}, "`+d.second+`": {"refinebio_accession_code": "`+d.second+`"}}}`))
		writeMatrix(t, filepath.Join(dir, d.organism, d.organism, d.organism+".tsv"), 40, []string{d.first, d.second})
	}
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, filepath.Join(dir, "HOMO_SAPIENS"), filepath.Join(dir, "MUS_MUSCULUS"))
	if len(rep.Studies) != 2 || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Fatalf("report %+v, want GSE1 loaded from the first download and refused from the second", rep.Studies)
	}
	var e *qc.Error
	if err := rep.Studies[1].Err; !errors.As(err, &e) || e.Code != qc.DuplicateSamples || !strings.Contains(e.Msg, "none of this matrix's (GSM3, GSM4) is among them") ||
		!strings.Contains(e.Msg, "in another download") || strings.Contains(e.Msg, "in a run of its own to replace it") {
		t.Fatalf("second download: %v, want a DuplicateSamples error naming GSM3 and GSM4 as not loaded", err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 80 {
		t.Errorf("%d facts, want the first download's 80", n)
	}
}

// A bad cell in one of the matrices loaded together fails all their
// studies, with an error naming that matrix and the cell's own line and
// column; nothing of them is loaded.
func TestStudySplitBetweenSpeciesMatricesBadCell(t *testing.T) {
	dir := writeTwoOrganismsSPECIES(t, true)
	mouse := filepath.Join(dir, "MUS_MUSCULUS", "MUS_MUSCULUS.tsv")
	editLines(t, mouse, func(i int, line string) (string, bool) {
		if i == 3 {
			f := strings.Split(line, "\t")
			f[2] = "Inf"
			return strings.Join(f, "\t"), true
		}
		return line, true
	})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 2 {
		t.Fatalf("report %+v, want GSE1 and GSE2", rep.Studies)
	}
	for _, sr := range rep.Studies {
		var e *qc.Error
		if !errors.As(sr.Err, &e) || e.Code != qc.ParseError || e.File != mouse || e.Line != 4 || e.Column != 3 {
			t.Errorf("study %s: %v, want a ParseError at %s line 4, column 3", sr.Study, sr.Err, mouse)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 0 {
		t.Errorf("%d facts, want none", n)
	}
}

// A melter of the caller's melts matrices loaded together as the pipeline's
// own does: each matrix's columns in its rows, the same facts.
func TestSpeciesUnitWithACallersMelter(t *testing.T) {
	for _, missing := range []string{"skip", "null"} {
		t.Run(missing, func(t *testing.T) {
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			cfg.Processing.MissingValues = missing
			own, theirs := openWarehouse(t), openWarehouse(t)
			dir := writeTwoOrganismsSPECIES(t, true)
			loadWith(t, own, cfg, dir)
			p, err := genexp.New(theirs, genexp.WithConfig(cfg), genexp.WithMelter(expression.ColumnMelter{Missing: expression.KeepMissing}))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, sr := range rep.Studies {
				if sr.Err != nil || sr.Outcome != warehouse.Inserted {
					t.Fatalf("study %s: outcome %q, error %v; want it loaded", sr.Study, sr.Outcome, sr.Err)
				}
			}
			if a, b := studyFacts(t, own), studyFacts(t, theirs); len(a) == 0 || !slices.Equal(a, b) {
				t.Errorf("the caller's melter gave %d facts, the pipeline's %d; want the same", len(b), len(a))
			}
			if a, b := studyQC(t, own), studyQC(t, theirs); !slices.Equal(a, b) {
				t.Errorf("QC %v, want %v", b, a)
			}
		})
	}
}

// A gene repeated within one matrix of a joined unit is that matrix's
// duplicate row, a finding as in any matrix (the first row kept), not a
// gene of two matrices.
func TestSpeciesUnitGeneRepeatedWithinOneMatrix(t *testing.T) {
	dir := writeTwoOrganismsSPECIES(t, true)
	human := filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv")
	b, err := os.ReadFile(human)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	writeFile(t, human, []byte(string(b)+lines[4])) // the fourth gene again, at line 42
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	var gse1 *genexp.StudyReport
	for i := range rep.Studies {
		if rep.Studies[i].Study == "GSE1" {
			gse1 = &rep.Studies[i]
		}
	}
	if gse1 == nil || gse1.Err != nil || gse1.Outcome != warehouse.Inserted {
		t.Fatalf("report %+v, want GSE1 loaded", rep.Studies)
	}
	if !slices.ContainsFunc(gse1.Findings, func(f *qc.Error) bool { return f.Code == qc.DuplicateGenes && f.Severity == qc.SeverityWarning }) {
		t.Errorf("GSE1 findings %v, want a DuplicateGenes warning", gse1.Findings)
	}
}
