package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// replaceShape is a study loaded in two versions: version v holds genes
// [v×genes/8, genes + v×genes/8) × samples, each cell worth
// gene×samples + sample + v. Every value of version 1 differs from version
// 0's, an eighth of the genes is gone and an eighth is new.
type replaceShape struct{ genes, samples int }

func (s replaceShape) lines(v int) (lo, hi int) { return v * s.genes / 8, s.genes + v*s.genes/8 }

func (s replaceShape) batchID(v int) string { return fmt.Sprintf("b-v%d", v) }

// load loads version v of GSE1 and returns the stage it failed in
// ("write" or "commit") with the error, or "" and nil.
func (s replaceShape) load(ctx context.Context, w *duckdb.Warehouse, v int) (string, error) {
	cols := make([]warehouse.Column, s.samples)
	var dims warehouse.DimensionsRequest
	dims.Studies = []warehouse.Study{{Accession: "GSE1", Title: "replaced"}}
	for i := range cols {
		acc := fmt.Sprintf("GSE1_S%d", i)
		cols[i] = warehouse.Column{Index: i, Sample: acc, Study: "GSE1"}
		dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: "GSE1", Illness: "UNKNOWN"})
	}
	b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "replace", FileName: "replace.tsv", Columns: cols})
	if err != nil {
		return "begin", err
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, dims); err != nil {
		return "dimensions", err
	}
	lo, hi := s.lines(v)
	const per = 2000
	var lb expression.LongBatch
	for start := lo; start < hi; start += per {
		lb.Reset()
		for g := start; g < min(start+per, hi); g++ {
			lb.Genes = append(lb.Genes, fmt.Sprintf("ENSG%011d", g))
			lb.GeneLines = append(lb.GeneLines, int64(g-lo+2))
			for c := 0; c < s.samples; c++ {
				lb.Row = append(lb.Row, int32(g-start))
				lb.Column = append(lb.Column, int32(c))
				lb.Value = append(lb.Value, float64(g*s.samples+c+v))
			}
		}
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: &lb}); err != nil {
			return "write", err
		}
	}
	cells := int64((hi - lo) * s.samples)
	res, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: fmt.Sprintf("h-v%d", v),
		Studies: []warehouse.StudyCommit{{Study: "GSE1", BatchID: s.batchID(v), RowsRead: cells}}})
	if err != nil {
		return "commit", err
	}
	if r := res.Studies[0]; r.RowsWritten != cells || r.BatchID != s.batchID(v) {
		return "commit", fmt.Errorf("commit reported %+v, want %d rows of %s", r, cells, s.batchID(v))
	}
	return "", nil
}

// mismatch compares the warehouse with version v of GSE1, exactly: every
// fact's study, sample, gene, value and batch against the cells version v
// holds (made again here by SQL, not read from the load), in both
// directions; the batches' records; and the study QC's batch. It returns
// what differs, or "".
func (s replaceShape) mismatch(db *sql.DB, v int) (string, error) {
	lo, hi := s.lines(v)
	var facts, missing, extra int64
	err := db.QueryRow(`WITH want AS (
		SELECT 'GSE1' AS study, 'GSE1_S' || c AS sample, printf('ENSG%011d', g) AS gene,
		       (g * $3 + c + $4)::DOUBLE AS value, $5 AS batch_id
		FROM range($1, $2) gs(g), range($3) cs(c)),
	got AS (
		SELECT st.study_accession_code, sa.sample_accession_code, g.gene_id, f.expression_value, k.batch_id
		FROM fact_gene_expression f
		LEFT JOIN dim_study st ON st.study_key = f.study_key
		LEFT JOIN dim_sample sa ON sa.sample_key = f.sample_key
		LEFT JOIN dim_gene g ON g.gene_key = f.gene_key
		LEFT JOIN meta_batch_key k ON k.batch_key = f.batch_key)
	SELECT (SELECT COUNT(*) FROM fact_gene_expression),
	       (SELECT COUNT(*) FROM (FROM want EXCEPT ALL FROM got)),
	       (SELECT COUNT(*) FROM (FROM got EXCEPT ALL FROM want))`,
		lo, hi, s.samples, v, s.batchID(v)).Scan(&facts, &missing, &extra)
	if err != nil {
		return "", err
	}
	var out []string
	if want := int64((hi - lo) * s.samples); facts != want || missing != 0 || extra != 0 {
		out = append(out, fmt.Sprintf("%d facts, want %d: %d of version %d's missing, %d others", facts, want, missing, v, extra))
	}
	// Every version up to v was loaded; v alone is current.
	var want []string
	for u := 0; u <= v; u++ {
		lo, hi := s.lines(u)
		want = append(want, fmt.Sprintf("%s:%t:%d", s.batchID(u), u == v, (hi-lo)*s.samples))
	}
	var batches, qcBatch sql.NullString
	err = db.QueryRow(`SELECT (SELECT string_agg(batch_id || ':' || is_current || ':' || rows_written, ' ' ORDER BY batch_id) FROM meta_batch),
		(SELECT batch_id FROM meta_study_qc)`).Scan(&batches, &qcBatch)
	if err != nil {
		return "", err
	}
	if batches.String != strings.Join(want, " ") {
		out = append(out, fmt.Sprintf("meta_batch holds %q, want %q", batches.String, strings.Join(want, " ")))
	}
	if qcBatch.String != s.batchID(v) {
		out = append(out, fmt.Sprintf("meta_study_qc names batch %q, want %s", qcBatch.String, s.batchID(v)))
	}
	return strings.Join(out, "; "), nil
}

// replaceUnderLimit loads version 1 of s over a copy of base (a warehouse
// holding version 0) under memory_limit limit, then reopens the copy
// without the limit and checks it holds version 1 if the load succeeded,
// version 0 if it failed. It returns the outcome: "replaced", or
// "failed in <stage>" for a failure that left version 0 whole, or a line
// starting with WRONG.
func replaceUnderLimit(t *testing.T, s replaceShape, base, limit string) (outcome string, loadErr error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	copyFile(t, base, path)
	w, err := duckdb.Open(path + "?threads=2&memory_limit=" + limit)
	if err != nil {
		t.Fatal(err)
	}
	stage, loadErr := s.load(context.Background(), w, 1)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = duckdb.Open(path)
	if err != nil {
		t.Fatalf("reopening after the load under %s (%s: %v): %v", limit, stage, loadErr, err)
	}
	defer w.Close()
	want := 1
	if loadErr != nil {
		want = 0
	}
	diff, err := s.mismatch(w.DB(), want)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case diff != "" && loadErr == nil:
		return "WRONG after a replace that succeeded: " + diff, nil
	case diff != "":
		return fmt.Sprintf("WRONG after a load that failed in %s (%v): %s", stage, loadErr, diff), loadErr
	case loadErr != nil:
		return "failed in " + stage, loadErr
	}
	return "replaced", nil
}

// loadBase makes a warehouse holding version 0 of s, under the default
// memory_limit.
func loadBase(t *testing.T, s replaceShape, path string) {
	t.Helper()
	w, err := duckdb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if stage, err := s.load(context.Background(), w, 0); err != nil {
		t.Fatalf("loading version 0 (%s): %v", stage, err)
	}
	if diff, err := s.mismatch(w.DB(), 0); err != nil || diff != "" {
		t.Fatalf("version 0: %s %v", diff, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReplaceUnderMemoryLimitStress replaces a tall study under a tight
// memory_limit, as GENEXP_REPLACE_STRESS says: "GENES SAMPLES LIMIT RUNS
// DIR", DIR caching the warehouses that hold version 0. It logs one line
// per run and fails on a wrong warehouse or a failure other than running
// out of memory. A crash ends the process, so run it from a loop, one run
// per process, to count them:
//
//	GENEXP_REPLACE_STRESS='400000 2 64MB 1 /tmp/rs' go test -run ReplaceUnderMemoryLimitStress -v ./warehouse/duckdb
func TestReplaceUnderMemoryLimitStress(t *testing.T) {
	spec := strings.Fields(os.Getenv("GENEXP_REPLACE_STRESS"))
	if len(spec) == 0 {
		t.Skip("GENEXP_REPLACE_STRESS is not set")
	}
	if len(spec) != 5 {
		t.Fatalf("GENEXP_REPLACE_STRESS=%q: want GENES SAMPLES LIMIT RUNS DIR", spec)
	}
	var n [3]int
	for i, f := range []string{spec[0], spec[1], spec[3]} {
		v, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("GENEXP_REPLACE_STRESS: %v", err)
		}
		n[i] = v
	}
	s := replaceShape{genes: n[0], samples: n[1]}
	limit, runs, dir := spec[2], n[2], spec[4]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, fmt.Sprintf("v0-%d-%d.duckdb", s.genes, s.samples))
	if _, err := os.Stat(base); err != nil {
		// Built aside and renamed: loops running side by side may build
		// it at once.
		tmp, err := os.MkdirTemp(dir, "v0-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		loadBase(t, s, filepath.Join(tmp, "w.duckdb"))
		if err := os.Rename(filepath.Join(tmp, "w.duckdb"), base); err != nil {
			t.Fatal(err)
		}
	}
	for run := range runs {
		outcome, err := replaceUnderLimit(t, s, base, limit)
		t.Logf("replace-trial genes=%d samples=%d limit=%s run=%d outcome=%s err=%v", s.genes, s.samples, limit, run, outcome, err)
		if strings.HasPrefix(outcome, "WRONG") || (err != nil && !strings.Contains(err.Error(), "Out of Memory")) {
			t.Errorf("run %d: %s (%v)", run, outcome, err)
		}
	}
}

// TestReplaceUnderMemoryLimit replaces a study of 200,000 genes × 2 samples
// with a version whose every value differs and whose genes are partly
// others, first under a memory_limit too small for the commit, then under
// one that fits, and checks every fact after each: the failed load must
// leave the old version exactly, the replace must leave the new one and
// nothing of the old. Near memory_limit DuckDB 1.5.6 committed wrong rows
// when a transaction deleted many rows and then inserted many (see
// stmtFeatureDeleteAbove); TestReplaceUnderMemoryLimitStress runs this
// case at other sizes and limits, many times.
func TestReplaceUnderMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 800,000 values")
	}
	s := replaceShape{genes: 200000, samples: 2}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	loadBase(t, s, path)
	for _, tc := range []struct {
		limit string
		want  int // the version the warehouse must hold after
	}{
		{"24MB", 0},
		{"64MB", 1},
	} {
		w, err := duckdb.Open(path + "?threads=2&memory_limit=" + tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		stage, loadErr := s.load(context.Background(), w, 1)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == 1 && loadErr != nil:
			t.Fatalf("under %s the replace failed in %s: %v", tc.limit, stage, loadErr)
		case tc.want == 0 && (stage != "commit" || !errors.Is(loadErr, qc.ConnectionFailed) ||
			!strings.Contains(loadErr.Error(), "Out of Memory")):
			t.Fatalf("under %s: %s %v, want the commit to run out of memory", tc.limit, stage, loadErr)
		}
		w, err = duckdb.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := s.mismatch(w.DB(), tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Errorf("after the load under %s (%v), version %d: %s", tc.limit, loadErr, tc.want, diff)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
