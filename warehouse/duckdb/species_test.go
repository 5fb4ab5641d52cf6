package duckdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/warehouse"
)

// TestSpeciesFactsByStudy loads a SPECIES matrix whose columns interleave
// five studies (250,000 cells: several row groups, sorted on both cores),
// then a changed copy of it that replaces them all: each time the facts
// must lie study by study in the table (rowid order), so that a statement
// about one study reads only that study's row groups.
func TestSpeciesFactsByStudy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := synth.Write(filepath.Join(dir, "v1"), synth.Spec{Genes: 2500, Samples: 100, Studies: 5, MissingShare: 0.01, Seed: 3, Species: true})
	if err != nil {
		t.Fatal(err)
	}
	w := open(t, filepath.Join(dir, "w.duckdb"))
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	check := func(download string, outcome warehouse.Outcome, facts int64) {
		t.Helper()
		rep, err := p.Load(ctx, download)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Studies) != 5 {
			t.Fatalf("%d studies loaded, want 5", len(rep.Studies))
		}
		for _, s := range rep.Studies {
			if s.Err != nil || s.Outcome != outcome {
				t.Fatalf("study %s: %s %v, want %s", s.Study, s.Outcome, s.Err, outcome)
			}
		}
		var n, back, runs, geneBack int64
		if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE study_key < prev), COUNT(*) FILTER (WHERE study_key <> prev),
				COUNT(*) FILTER (WHERE study_key = prev AND gene_key < prev_gene)
			FROM (SELECT study_key, gene_key, lag(study_key) OVER (ORDER BY rowid) AS prev, lag(gene_key) OVER (ORDER BY rowid) AS prev_gene
				FROM fact_gene_expression)`).Scan(&n, &back, &runs, &geneBack); err != nil {
			t.Fatal(err)
		}
		if n != facts || back != 0 || runs != 4 {
			t.Errorf("%d facts (want %d) in %d runs of one study (want 5), %d steps back to an earlier study (want 0)", n, facts, runs+1, back)
		}
		// Within a study the facts keep the matrix's line order, so that a
		// row group spans few genes and a query for one gene skips most.
		if geneBack != 0 {
			t.Errorf("%d steps back to an earlier gene within a study (want 0)", geneBack)
		}
	}
	check(m.Path, warehouse.Inserted, m.Cells-m.Missing)

	// Every study replaced: the matrix loses its last gene row.
	v2 := filepath.Join(dir, "v2")
	if err := os.CopyFS(v2, os.DirFS(m.Path)); err != nil {
		t.Fatal(err)
	}
	matrix := filepath.Join(v2, filepath.FromSlash(m.Studies[0].Matrix))
	data, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	last := lines[len(lines)-1]
	if err := os.WriteFile(matrix, []byte(strings.Join(lines[:len(lines)-1], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	missingLast := int64(strings.Count(last, "\tNA"))
	check(v2, warehouse.Replaced, m.Cells-m.Missing-int64(m.Samples)+missingLast)
}

// TestLogSteps checks that LogSteps writes its rows as LogStep would one
// after the other: a later record of a log id updates the row.
func TestLogSteps(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(time.Second)
	rows := int64(7)
	steps := []warehouse.StepRecord{
		{LogID: "a", RunID: "r", Study: "GSE1", Step: "extract", Status: "RUNNING", StartedAt: start},
		{LogID: "b", RunID: "r", Study: "GSE2", Step: "extract", Status: "RUNNING", StartedAt: start},
		{LogID: "a", RunID: "r", Study: "GSE1", Step: "extract", Status: "SUCCESS", StartedAt: start, EndedAt: &end, RowsRead: &rows},
	}
	if err := warehouse.StepsLogger(w).LogSteps(ctx, steps); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	r, err := w.DB().QueryContext(ctx, `SELECT log_id, status || ' ' || COALESCE(CAST(rows_read AS VARCHAR), '-') FROM meta_etl_process_log`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var id, v string
		if err := r.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		got[id] = v
	}
	if len(got) != 2 || got["a"] != "SUCCESS 7" || got["b"] != "RUNNING -" {
		t.Errorf("process log %v, want a: SUCCESS 7, b: RUNNING -", got)
	}
}

// TestManyStudiesInOneLoad commits one matrix of 600 studies under a 64 MB
// memory limit, twice (the second time every row is updated, none
// inserted): what a load writes per study must not hold memory until the
// commit. With INSERT … ON CONFLICT, some 300 KB per statement, it ran out.
func TestManyStudiesInOneLoad(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb")+"?memory_limit=64MB")
	const studies, genes = 600, 2
	var cols []warehouse.Column
	var dims warehouse.DimensionsRequest
	var commit warehouse.CommitRequest
	for k := range studies {
		st, acc := fmt.Sprintf("GSE%d", 1000+k), fmt.Sprintf("GSM%d", 5000+k)
		cols = append(cols, warehouse.Column{Index: k, Sample: acc, Study: st})
		dims.Studies = append(dims.Studies, warehouse.Study{Accession: st, Title: "study " + st})
		dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: st, Illness: "UNKNOWN"})
	}
	lb := &expression.LongBatch{}
	for g := range genes {
		lb.Genes = append(lb.Genes, fmt.Sprintf("G%d", g))
		lb.GeneLines = append(lb.GeneLines, int64(g+2))
		for c := range studies {
			lb.Row, lb.Column, lb.Value = append(lb.Row, int32(g)), append(lb.Column, int32(c)), append(lb.Value, float64(g*studies+c))
		}
	}
	for round, hash := range []string{"h1", "h2"} {
		commit = warehouse.CommitRequest{FileHash: hash}
		for _, s := range dims.Studies {
			commit.Studies = append(commit.Studies, warehouse.StudyCommit{Study: s.Accession, BatchID: s.Accession + "-" + hash, RowsRead: genes,
				QC: warehouse.StudyQC{Genes: genes, Samples: 1, Cells: genes}})
		}
		b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "HOMO_SAPIENS.tsv", Columns: cols})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.UpsertDimensions(ctx, dims); err != nil {
			t.Fatal(errors.Join(err, b.Abort(ctx)))
		}
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(errors.Join(err, b.Abort(ctx)))
		}
		res, err := b.Commit(ctx, commit)
		if err != nil {
			t.Fatalf("round %d: %v", round+1, err)
		}
		want := []warehouse.Outcome{warehouse.Inserted, warehouse.Replaced}[round]
		for _, r := range res.Studies {
			if r.Outcome != want || r.RowsWritten != genes {
				t.Fatalf("round %d, study %s: %s with %d rows, want %s with %d", round+1, r.Study, r.Outcome, r.RowsWritten, want, genes)
			}
		}
		dims.Studies[0].Title = "retitled"
	}
	var batches, current, qc, facts, title int
	if err := w.DB().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM meta_batch), (SELECT COUNT(*) FROM meta_batch WHERE is_current),
		(SELECT COUNT(*) FROM meta_study_qc WHERE batch_id LIKE '%-h2'), (SELECT COUNT(*) FROM fact_gene_expression),
		(SELECT COUNT(*) FROM dim_study WHERE study_title = 'retitled')`).Scan(&batches, &current, &qc, &facts, &title); err != nil {
		t.Fatal(err)
	}
	if batches != 2*studies || current != studies || qc != studies || facts != genes*studies || title != 1 {
		t.Errorf("%d batches (%d current), %d study QC rows of the second load, %d facts, %d retitled studies; want %d (%d), %d, %d, 1",
			batches, current, qc, facts, title, 2*studies, studies, studies, genes*studies)
	}
}
