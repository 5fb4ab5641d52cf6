package duckdb_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestStagedCellsEndWithTheBatch checks that a batch's staged cells leave
// its connection when it ends, committed or aborted: the connection goes
// back to the pool, and cells left on it would hold memory and reach the
// next load's facts.
func TestStagedCellsEndWithTheBatch(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	// One connection, so the queries below run on the batches' connection.
	w.DB().SetMaxOpenConns(1)
	ctx := context.Background()
	tempTables := func() int {
		var n int
		if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM duckdb_tables() WHERE temporary`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tempTables(); n != 0 {
		t.Fatalf("a new warehouse's connection holds %d temporary tables", n)
	}
	cols := []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}
	b, err := w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tempTables(); n != 0 {
		t.Errorf("after Abort the connection holds %d temporary tables", n)
	}
	// A commit that fails inside the load's transaction: no dimensions
	// describe the sample, so its cells find no sample key.
	b, err = w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	rows := &expression.LongBatch{Genes: []string{"G1"}, GeneLines: []int64{2}, Row: []int32{0}, Column: []int32{0}, Value: []float64{1}}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: rows}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "GSE1", BatchID: "b1"}}})
	if !errors.Is(err, qc.DimensionLookupFailed) {
		t.Fatalf("Commit without dimensions: %v, want code DimensionLookupFailed", err)
	}
	if n := tempTables(); n != 0 {
		t.Errorf("after a failed Commit the connection holds %d temporary tables", n)
	}
	loaded := smallLoad{study: "GSE1", genes: 30, samples: 4, seed: 2}
	res, err := loaded.run(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Studies[0].RowsWritten; got != 30*4 {
		t.Errorf("RowsWritten = %d, want %d", got, 30*4)
	}
	var facts int
	if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM fact_gene_expression`).Scan(&facts); err != nil {
		t.Fatal(err)
	}
	if facts != 30*4 {
		t.Errorf("%d facts, want %d", facts, 30*4)
	}
	if n := tempTables(); n != 0 {
		t.Errorf("after Commit the connection holds %d temporary tables", n)
	}
}

// TestUnknownIllnessFailsUpsertDimensions checks that an illness label
// dim_illness does not know is refused by UpsertDimensions, before any row
// streams, and that the refused load writes nothing.
func TestUnknownIllnessFailsUpsertDimensions(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	ctx := context.Background()
	b, err := w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv",
		Columns: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	err = b.UpsertDimensions(ctx, warehouse.DimensionsRequest{
		Studies: []warehouse.Study{{Accession: "GSE1"}},
		Samples: []warehouse.Sample{
			{Accession: "GSM1", Study: "GSE1", Illness: "SEPSIS"},
			{Accession: "GSM2", Study: "GSE1", Illness: "sepsis?"},
			{Accession: "GSM3", Study: "GSE1", Illness: "FLU"},
		}})
	if !errors.Is(err, qc.ConstraintViolation) {
		t.Fatalf("UpsertDimensions: %v, want code ConstraintViolation", err)
	}
	if !strings.Contains(err.Error(), "FLU, sepsis?") {
		t.Errorf("UpsertDimensions: %v, want the unknown labels listed", err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	var studies int
	if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM dim_study`).Scan(&studies); err != nil {
		t.Fatal(err)
	}
	if studies != 0 {
		t.Errorf("the refused load wrote %d studies", studies)
	}
}
