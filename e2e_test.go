package genexp_test

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// refTSV parses a matrix independently of package expression: encoding/csv
// and strconv. It returns gene → column name → value.
func refTSV(t *testing.T, path string) (header []string, values map[string]map[string]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	header, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	values = map[string]map[string]float64{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]float64{}
		for i, cell := range rec[1:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("reference parse of %q: %v", cell, err)
			}
			row[header[i+1]] = v
		}
		values[rec[0]] = row
	}
	return header, values
}

func openWarehouse(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func load(t *testing.T, w warehouse.WarehouseSink, paths ...string) *genexp.Report {
	t.Helper()
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), paths...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Studies {
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Study, s.Err)
		}
	}
	if len(rep.Errors) > 0 {
		t.Fatal(rep.Errors)
	}
	return rep
}

func TestLoadRealDownloadsExact(t *testing.T) {
	cases := []struct {
		name, path, matrix, study string
		samples                   int
		byTitle                   bool
		platform                  string // each sample's: accession | manufacturer | technology
	}{
		{"current microarray, sheet only", "testdata/refinebio/GSE71270", "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv", "GSE71270", 10, false,
			"zebrafish|Affymetrix|MICROARRAY"},
		{"rna-seq, sheet only", "testdata/refinebio/SRP110235", "testdata/refinebio/SRP110235/SRP110235/SRP110235.tsv", "SRP110235", 4, false,
			"IlluminaHiSeq2000|Illumina|RNA-SEQ"},
		{"2018 download, titles as columns", "testdata/refinebio/E-GEOD-39842", "testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv", "E-GEOD-39842", 12, true,
			"zebrafish|Affymetrix|MICROARRAY"},
		{"2018 download as a zip", "testdata/refinebio/E-GEOD-39842.zip", "testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv", "E-GEOD-39842", 12, true,
			"zebrafish|Affymetrix|MICROARRAY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			rep := load(t, w, tc.path)
			if len(rep.Studies) != 1 || rep.Studies[0].Study != tc.study || rep.Studies[0].Outcome != warehouse.Inserted {
				t.Fatalf("report: %+v", rep.Studies)
			}
			_, want := refTSV(t, tc.matrix)
			rows, err := w.DB().Query(`SELECT g.gene_id, s.sample_accession_code, s.sample_title, f.expression_value
				FROM fact_gene_expression f JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)
				JOIN dim_study st ON st.study_key = f.study_key WHERE st.study_accession_code = ?`, tc.study)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			samples := map[string]bool{}
			for rows.Next() {
				var gene, acc, title string
				var v float64
				if err := rows.Scan(&gene, &acc, &title, &v); err != nil {
					t.Fatal(err)
				}
				col := acc
				if tc.byTitle {
					col = title
				}
				ref, ok := want[gene][col]
				if !ok {
					t.Fatalf("fact (%s, %s) is not in the matrix", gene, col)
				}
				if math.Float64bits(ref) != math.Float64bits(v) {
					t.Fatalf("(%s, %s): stored %v (%x), matrix says %v (%x)", gene, col, v, math.Float64bits(v), ref, math.Float64bits(ref))
				}
				samples[acc] = true
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if wantN := len(want) * tc.samples; n != wantN {
				t.Errorf("facts = %d, want genes × samples = %d", n, wantN)
			}
			if len(samples) != tc.samples {
				t.Errorf("samples = %d, want %d", len(samples), tc.samples)
			}
			// every sample's platform is in dim_platform, normalized
			var platforms string
			var withPlatform int
			if err := w.DB().QueryRow(`SELECT string_agg(DISTINCT COALESCE(p.platform_accession || '|' || p.manufacturer || '|' || p.measurement_technology, 'none'), ', '),
					COUNT(p.platform_key)
				FROM dim_sample s JOIN dim_study_sample ss ON ss.sample_key = s.sample_key JOIN dim_study st ON st.study_key = ss.study_key
				LEFT JOIN dim_platform p ON p.platform_key = s.platform_key WHERE st.study_accession_code = ?`, tc.study).Scan(&platforms, &withPlatform); err != nil {
				t.Fatal(err)
			}
			if platforms != tc.platform || withPlatform != tc.samples {
				t.Errorf("samples' platforms %q (%d samples with one), want %q for all %d", platforms, withPlatform, tc.platform, tc.samples)
			}
			if tc.byTitle {
				for acc := range samples {
					if !strings.HasPrefix(acc, "E-GEOD-39842-GSM") {
						t.Errorf("sample %q is not keyed by accession", acc)
					}
				}
			}
		})
	}
}

func TestReloadIsDuplicateAndChangeReplaces(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "GSE71270")
	if err := os.MkdirAll(study, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "testdata/refinebio/GSE71270/GSE71270/"
	copyFile(t, src+"metadata_GSE71270.tsv", filepath.Join(study, "metadata_GSE71270.tsv"))
	matrix := filepath.Join(study, "GSE71270.tsv")
	copyFile(t, src+"GSE71270.tsv", matrix)

	w := openWarehouse(t)
	first := load(t, w, study).Studies[0]
	again := load(t, w, study).Studies[0]
	if again.Outcome != warehouse.Duplicate || again.BatchID != first.BatchID {
		t.Fatalf("reload: outcome %s batch %s, want duplicate of %s", again.Outcome, again.BatchID, first.BatchID)
	}
	if got := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); got != 3000 {
		t.Fatalf("facts after reload = %d, want 3000", got)
	}

	// Drop the last 100 gene rows: the study's facts must be replaced.
	data, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if err := os.WriteFile(matrix, []byte(strings.Join(lines[:201], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := load(t, w, study).Studies[0]
	if changed.Outcome != warehouse.Replaced || changed.BatchID == first.BatchID {
		t.Fatalf("changed file: outcome %s batch %s", changed.Outcome, changed.BatchID)
	}
	if got := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); got != 2000 {
		t.Fatalf("facts after replace = %d, want 2000", got)
	}
	if got := count(t, w, `SELECT COUNT(DISTINCT batch_key) FROM fact_gene_expression`); got != 1 {
		t.Fatalf("batches in facts = %d, want 1", got)
	}
	if got := count(t, w, `SELECT COUNT(*) FROM meta_batch WHERE is_current`); got != 1 {
		t.Fatalf("current batches = %d, want 1", got)
	}
	// The cells are staged in a temporary table of the load's connection,
	// never in staging.expression_values; the tables below are filled in
	// the load's transaction and must be emptied by it.
	for _, table := range []string{"staging.matrix_rows", "staging.matrix_columns", "staging.load_batches", "staging.samples"} {
		if got := count(t, w, "SELECT COUNT(*) FROM "+table); got != 0 {
			t.Errorf("%s holds %d rows after commit", table, got)
		}
	}
}

func count(t *testing.T, w *duckdb.Warehouse, q string) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
