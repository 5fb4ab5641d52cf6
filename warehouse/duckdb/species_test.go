package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
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
		var n, back, runs int64
		if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE study_key < prev), COUNT(*) FILTER (WHERE study_key <> prev)
			FROM (SELECT study_key, lag(study_key) OVER (ORDER BY rowid) AS prev FROM fact_gene_expression)`).Scan(&n, &back, &runs); err != nil {
			t.Fatal(err)
		}
		if n != facts || back != 0 || runs != 4 {
			t.Errorf("%d facts (want %d) in %d runs of one study (want 5), %d steps back to an earlier study (want 0)", n, facts, runs+1, back)
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
