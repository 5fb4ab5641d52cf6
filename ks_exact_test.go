package genexp_test

import (
	"bufio"
	"encoding/json"
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

// tileMatrix writes the real study's matrix tiled as
// qc/testdata/ks_tiled_reference.py tiles it (tile k: gene ids suffixed
// "_k", values v+k), with its sample sheet, and returns the study folder.
func tileMatrix(t *testing.T, study string, tiles int) string {
	t.Helper()
	src := filepath.Join("testdata/refinebio", study, study)
	dir := filepath.Join(t.TempDir(), study)
	if err := os.MkdirAll(filepath.Join(dir, study), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(src, "metadata_"+study+".tsv"), filepath.Join(dir, study, "metadata_"+study+".tsv"))
	b, err := os.ReadFile(filepath.Join(src, study+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var out strings.Builder
	out.WriteString(lines[0] + "\n")
	for k := range tiles {
		for _, line := range lines[1:] {
			cells := strings.Split(line, "\t")
			out.WriteString(cells[0] + "_" + strconv.Itoa(k))
			for _, c := range cells[1:] {
				v, err := strconv.ParseFloat(c, 64)
				if err != nil {
					t.Fatalf("%s: %v", study, err)
				}
				out.WriteString("\t" + strconv.FormatFloat(v+float64(k), 'g', -1, 64))
			}
			out.WriteString("\n")
		}
	}
	f, err := os.Create(filepath.Join(dir, study, study+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(out.String())
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

type ksRow struct {
	sample  string
	d, p    float64
	rows    int64
	sampled bool
}

func storedKS(t *testing.T, w *duckdb.Warehouse, study string) ksRow {
	t.Helper()
	var r ksRow
	// The current batch's LOADED row of meta_batch_qc, which must agree
	// with the study's meta_study_qc row.
	err := w.DB().QueryRow(`SELECT q.ks_worst_sample, q.ks_statistic_recomputed, q.ks_pvalue_recomputed, q.ks_rows_used, q.ks_sampled
		FROM meta_batch_qc q
		JOIN meta_batch b ON b.batch_id = q.batch_id AND b.is_current
		JOIN meta_study_qc s ON s.study_key = b.study_key AND s.batch_id = q.batch_id
		WHERE q.study_accession_code = ? AND q.qc_status = 'LOADED'
		  AND s.ks_worst_sample = q.ks_worst_sample AND s.ks_statistic_recomputed = q.ks_statistic_recomputed
		  AND s.ks_pvalue_recomputed = q.ks_pvalue_recomputed`, study).Scan(&r.sample, &r.d, &r.p, &r.rows, &r.sampled)
	if err != nil {
		t.Fatalf("%s: %v", study, err)
	}
	return r
}

// On matrices of more rows than the check once sampled (5,000), the stored
// figures are scipy's on the whole matrix, and meta_batch_qc says so;
// over a small cell budget they come from a sample, and it says that.
func TestKSExactOnLargerRealMatrices(t *testing.T) {
	b, err := os.ReadFile("qc/testdata/ks_tiled_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Studies []struct {
			Matrix string `json:"matrix"`
			Tiles  int    `json:"tiles"`
			Rows   int64  `json:"rows"`
			Column string `json:"worst_column"`
			D, P   float64
		} `json:"tiled_studies"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Studies) != 2 {
		t.Fatalf("reference holds %d studies", len(ref.Studies))
	}
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	for _, r := range ref.Studies {
		study := strings.SplitN(r.Matrix, "/", 2)[0]
		folder := tileMatrix(t, study, r.Tiles)
		w := openWarehouse(t)
		loadWith(t, w, cfg, folder)
		got := storedKS(t, w, study)
		// D bit for bit; p within the tolerance qc/ks_test.go explains
		// (here scipy's asymptotic series, 1e-87, agrees to 1e-13).
		if got.sample != r.Column || got.d != r.D || math.Abs(got.p-r.P) > 1e-11*r.P+1e-14 || got.rows != r.Rows || got.sampled {
			t.Errorf("%s: stored %+v, scipy on all %d rows says %s D %v p %v", study, got, r.Rows, r.Column, r.D, r.P)
		}

		small := cfg
		small.Processing.KSMaxCells, small.Processing.KSSampleSize = 1000, 100
		w2 := openWarehouse(t)
		loadWith(t, w2, small, folder)
		cols := int64(len(strings.Split(firstLine(t, filepath.Join(folder, study, study+".tsv")), "\t")) - 1)
		if got, want := storedKS(t, w2, study), max(100, 1000/max(cols, 5)); got.rows != want || !got.sampled { // a row counts as five cells at least
			t.Errorf("%s over a 1000-cell budget: stored %+v, want %d sampled rows", study, got, want)
		}
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

// TestKSCheckOff: ks_sample_size -1 turns the recomputed check off, and
// meta_study_qc then holds no recomputed figure, rather than a stale or
// made-up one, and meta_batch_qc no count of rows it read; the default
// records both.
func TestKSCheckOff(t *testing.T) {
	for _, tc := range []struct {
		size int
		want int64
	}{{-1, 0}, {0, 1}} {
		study, _, _ := gse71270(t)
		w := openWarehouse(t)
		cfg := genexp.DefaultConfig()
		cfg.Processing.KSSampleSize = tc.size
		if r := loadOne(t, w, cfg, study); r.Err != nil || r.Outcome != warehouse.Inserted {
			t.Fatalf("ks_sample_size %d: %s, %v", tc.size, r.Outcome, r.Err)
		}
		if n := count(t, w, `SELECT COUNT(*) FROM meta_study_qc WHERE ks_statistic_recomputed IS NOT NULL`); n != tc.want {
			t.Errorf("ks_sample_size %d: %d studies with a recomputed KS, want %d", tc.size, n, tc.want)
		}
		if n := count(t, w, `SELECT COUNT(*) FROM meta_batch_qc WHERE qc_status = 'LOADED'
			AND ks_rows_used = 300 AND ks_sampled = false`); n != tc.want {
			t.Errorf("ks_sample_size %d: %d batches with the rows their KS check read, want %d", tc.size, n, tc.want)
		}
	}
}
