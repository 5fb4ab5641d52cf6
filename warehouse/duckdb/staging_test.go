package duckdb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestCancelledLoadsLeaveTheConnectionClean cancels loads at varied points
// (while cells stream, in the commit) on a warehouse of one connection, and
// checks after each that no staged cells, temporary table or open
// transaction stay on the connection, and that the facts are one whole
// batch or none; a load afterwards succeeds.
func TestCancelledLoadsLeaveTheConnectionClean(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20 cancelled batches")
	}
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	w.DB().SetMaxOpenConns(1)
	bg := context.Background()
	const genes, samples = 2000, 50
	load := func(ctx context.Context, seed int) error {
		cols := make([]warehouse.Column, samples)
		dims := warehouse.DimensionsRequest{Studies: []warehouse.Study{{Accession: "GSE1"}}}
		for s := range cols {
			acc := fmt.Sprintf("GSM%d", s)
			cols[s] = warehouse.Column{Index: s, Sample: acc, Study: "GSE1"}
			dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: "GSE1", Illness: "CONTROL"})
		}
		b, err := w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv", Columns: cols})
		if err != nil {
			return err
		}
		defer b.Abort(bg)
		if err := b.UpsertDimensions(ctx, dims); err != nil {
			return err
		}
		for g0 := 0; g0 < genes; g0 += 100 {
			lb := &expression.LongBatch{}
			for g := g0; g < g0+100; g++ {
				lb.Genes = append(lb.Genes, fmt.Sprintf("G%d", g))
				lb.GeneLines = append(lb.GeneLines, int64(g+2))
				for s := range samples {
					lb.Row = append(lb.Row, int32(g-g0))
					lb.Column = append(lb.Column, int32(s))
					lb.Value = append(lb.Value, float64(seed*genes*samples+g*samples+s))
				}
			}
			if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
				return err
			}
		}
		hash := fmt.Sprintf("h%d", seed)
		_, err = b.Commit(ctx, warehouse.CommitRequest{FileHash: hash, Studies: []warehouse.StudyCommit{{Study: "GSE1", BatchID: "b" + hash}}})
		return err
	}
	cancelled := 0
	for i := range 20 {
		ctx, cancel := context.WithCancel(bg)
		// From before the start to well into the commit (a load here takes
		// 100–300 ms, more on a busy machine): the first load is cancelled
		// before it begins and the last is never cancelled, whatever the
		// machine's speed, so both ends are always exercised.
		timer := time.AfterFunc(time.Duration(i*i)*time.Millisecond, cancel)
		switch i {
		case 0:
			cancel()
		case 19:
			timer.Stop()
		}
		err := load(ctx, i)
		timer.Stop()
		cancel()
		if err != nil {
			if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "context canceled") && !strings.Contains(err.Error(), "INTERRUPT") {
				t.Fatalf("load %d: %v", i, err)
			}
			cancelled++
		}
		var temps, facts, current, rowsWritten int64
		if err := w.DB().QueryRowContext(bg, `SELECT COUNT(*) FROM duckdb_tables() WHERE temporary`).Scan(&temps); err != nil {
			t.Fatal(err)
		}
		if temps != 0 {
			t.Errorf("load %d: %d temporary tables stay on the connection", i, temps)
		}
		if _, err := w.DB().ExecContext(bg, `BEGIN TRANSACTION`); err != nil {
			t.Errorf("load %d: the connection is still in a transaction: %v", i, err)
		} else if _, err := w.DB().ExecContext(bg, `ROLLBACK`); err != nil {
			t.Fatal(err)
		}
		err = w.DB().QueryRowContext(bg, `SELECT (SELECT COUNT(*) FROM fact_gene_expression),
			(SELECT COUNT(*) FROM meta_batch WHERE is_current), (SELECT COALESCE(SUM(rows_written), 0) FROM meta_batch WHERE is_current)`).
			Scan(&facts, &current, &rowsWritten)
		if err != nil {
			t.Fatal(err)
		}
		if current > 1 || facts != rowsWritten || (facts != 0 && facts != genes*samples) {
			t.Errorf("load %d: %d facts, %d current batches holding %d rows", i, facts, current, rowsWritten)
		}
	}
	t.Logf("%d of 20 loads cancelled", cancelled)
	if cancelled == 0 || cancelled == 20 {
		t.Errorf("%d of 20 loads were cancelled; the schedule should cancel some and not others", cancelled)
	}
	if err := load(bg, 99); err != nil {
		t.Fatalf("a load after the cancelled ones: %v", err)
	}
}

// TestStagedCellsKeepTheirLineAndColumn loads cells at the largest line a
// staged cell holds and at a column index beyond 16 bits, and checks that
// each fact finds its own gene and sample: the staging table packs a cell's
// line and column into one number. A line beyond that is refused.
func TestStagedCellsKeepTheirLineAndColumn(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	ctx := context.Background()
	const top = 1<<39 - 1 // the largest line a staged cell holds
	cols := []warehouse.Column{{Index: 3, Sample: "GSM1", Study: "GSE1"}, {Index: 70000, Sample: "GSM2", Study: "GSE1"}}
	b, err := w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	err = b.UpsertDimensions(ctx, warehouse.DimensionsRequest{
		Studies: []warehouse.Study{{Accession: "GSE1"}},
		Samples: []warehouse.Sample{{Accession: "GSM1", Study: "GSE1"}, {Accession: "GSM2", Study: "GSE1"}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := &expression.LongBatch{Genes: []string{"G1", "G2"}, GeneLines: []int64{top - 1, top},
		Row: []int32{0, 0, 1, 1}, Column: []int32{3, 70000, 3, 70000}, Value: []float64{1.5, 2.5, 3.5, 4.5}}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: rows}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "GSE1", BatchID: "b1"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := w.DB().QueryContext(ctx, `SELECT g.gene_id, s.sample_accession_code, f.expression_value
FROM fact_gene_expression f JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)
ORDER BY f.expression_value`)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var facts []string
	for got.Next() {
		var gene, sample string
		var v float64
		if err := got.Scan(&gene, &sample, &v); err != nil {
			t.Fatal(err)
		}
		facts = append(facts, fmt.Sprintf("%s %s %g", gene, sample, v))
	}
	if err := got.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"G1 GSM1 1.5", "G1 GSM2 2.5", "G2 GSM1 3.5", "G2 GSM2 4.5"}
	if fmt.Sprint(facts) != fmt.Sprint(want) {
		t.Errorf("facts %q, want %q", facts, want)
	}

	b, err = w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	far := &expression.LongBatch{Genes: []string{"G3"}, GeneLines: []int64{top + 1}, Row: []int32{0}, Column: []int32{3}, Value: []float64{1}}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: far}); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("WriteRows of line %d: %v, want code ConstraintViolation", int64(top+1), err)
	}
}
