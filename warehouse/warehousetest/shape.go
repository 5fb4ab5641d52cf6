package warehousetest

import (
	"context"
	"math"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/warehouse"
)

// This file holds checks on matrices of unusual shape: columns that are not
// loaded, line numbers with gaps, no rows at all.

// testSparse loads a matrix whose loaded columns are 1, 3 and 4 of six (the
// others matched no sample) and whose genes sit on lines with gaps (a
// duplicated gene row was dropped), as one study and as two.
func testSparse(t *testing.T, tg Target) {
	for _, studies := range [][]string{{"GSE1", "GSE1", "GSE1"}, {"GSE1", "GSE2", "GSE2"}} {
		ctx := context.Background()
		matrixCols := []int32{1, 3, 4}
		lines := []int64{2, 3, 5, 6, 9}
		f := newFixture("GSE1", len(lines), 3, float64(len(studies[1])))
		f.studies = studies
		f.values[2][1] = math.NaN()
		cols := f.columns()
		for i := range cols {
			cols[i].Index = int(matrixCols[i])
		}
		b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: cols})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
			t.Fatal(err)
		}
		for start := 0; start < len(lines); start += 2 {
			lb := &expression.LongBatch{}
			for g := start; g < min(start+2, len(lines)); g++ {
				lb.Genes = append(lb.Genes, f.genes[g])
				lb.GeneLines = append(lb.GeneLines, lines[g])
				for s, v := range f.values[g] {
					if math.IsNaN(v) {
						continue // skipped, as the skip policy does
					}
					lb.Row = append(lb.Row, int32(g-start))
					lb.Column = append(lb.Column, matrixCols[s])
					lb.Value = append(lb.Value, v)
				}
			}
			if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
				t.Fatal(err)
			}
		}
		hash := "sparse-" + studies[1]
		res, err := b.Commit(ctx, f.commit(hash))
		if err != nil {
			t.Fatalf("studies %v: %v", studies, err)
		}
		f.skipMissing = true
		for _, r := range res.Studies {
			if want := f.cells(r.Study); r.RowsWritten != want {
				t.Errorf("studies %v: %s wrote %d rows, want %d", studies, r.Study, r.RowsWritten, want)
			}
			checkFacts(t, tg.DB, f, r.Study, batchID(r.Study, hash))
		}
	}
}

// testEmpty commits a batch that staged no rows: the study's batch is
// recorded with no facts, and a later load with rows replaces it.
func testEmpty(t *testing.T, tg Target) {
	ctx := context.Background()
	f := newFixture("GSE1", 3, 2, 1)
	b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: &expression.LongBatch{}}); err != nil {
		t.Fatal(err)
	}
	res, err := b.Commit(ctx, f.commit("empty"))
	if err != nil {
		t.Fatal(err)
	}
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Inserted || r.RowsWritten != 0 {
		t.Fatalf("%+v, want a new batch of 0 rows", r)
	}
	if n := factCount(t, tg.DB, "GSE1"); n != 0 {
		t.Fatalf("%d facts, want 0", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND rows_written = 0 AND study_accession_code = 'GSE1'`); n != 1 {
		t.Fatal("the empty batch is not recorded")
	}
	load(t, tg.Sink, f, "full")
	expectState(t, tg.DB, f, "GSE1", "full")
}
