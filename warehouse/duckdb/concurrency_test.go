package duckdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// smallLoad is a one-study matrix of genes × samples whose values depend on
// seed.
type smallLoad struct {
	study          string
	genes, samples int
	seed           float64
}

func (l smallLoad) hash() string { return fmt.Sprintf("%s-%v", l.study, l.seed) }

func (l smallLoad) begin(ctx context.Context, w warehouse.WarehouseSink) (warehouse.Batch, error) {
	cols := make([]warehouse.Column, l.samples)
	var dims warehouse.DimensionsRequest
	dims.Studies = []warehouse.Study{{Accession: l.study}}
	for s := range cols {
		acc := fmt.Sprintf("%s_S%d", l.study, s)
		cols[s] = warehouse.Column{Index: s, Sample: acc, Study: l.study}
		dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: l.study, Illness: "UNKNOWN"})
	}
	b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: l.study + ".tsv", Columns: cols})
	if err != nil {
		return nil, err
	}
	if err := b.UpsertDimensions(ctx, dims); err != nil {
		return nil, errors.Join(err, b.Abort(ctx))
	}
	lb := &expression.LongBatch{}
	for g := 0; g < l.genes; g++ {
		lb.Genes = append(lb.Genes, fmt.Sprintf("G%d", g))
		lb.GeneLines = append(lb.GeneLines, int64(g+2))
		for s := 0; s < l.samples; s++ {
			lb.Row = append(lb.Row, int32(g))
			lb.Column = append(lb.Column, int32(s))
			lb.Value = append(lb.Value, l.seed+float64(g*l.samples+s))
		}
	}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
		return nil, errors.Join(err, b.Abort(ctx))
	}
	return b, nil
}

func (l smallLoad) commit(ctx context.Context, b warehouse.Batch) (warehouse.CommitResult, error) {
	return b.Commit(ctx, warehouse.CommitRequest{FileHash: l.hash(),
		Studies: []warehouse.StudyCommit{{Study: l.study, BatchID: "b-" + l.hash(), RowsRead: int64(l.genes * l.samples)}}})
}

func (l smallLoad) run(ctx context.Context, w warehouse.WarehouseSink) (warehouse.CommitResult, error) {
	b, err := l.begin(ctx, w)
	if err != nil {
		return warehouse.CommitResult{}, err
	}
	defer b.Abort(ctx)
	return l.commit(ctx, b)
}

func open(t *testing.T, dsn string) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestSecondBeginIsRefusedWithoutBusyTimeout(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	ctx := context.Background()
	a := smallLoad{"GSE1", 10, 3, 1}
	b1, err := a.begin(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	_, err = smallLoad{"GSE2", 10, 3, 1}.run(ctx, w)
	if !errors.Is(err, qc.WarehouseBusy) {
		t.Fatalf("second load while one is open: err = %v, want code WarehouseBusy", err)
	}
	if _, err := a.commit(ctx, b1); err != nil {
		t.Fatal(err)
	}
	if _, err := (smallLoad{"GSE2", 10, 3, 1}).run(ctx, w); err != nil {
		t.Fatalf("load after the first ended: %v", err)
	}
}

func TestBeginWaitsForBusyTimeout(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb")+"?busy_timeout=20s")
	ctx := context.Background()
	a := smallLoad{"GSE1", 10, 3, 1}
	b1, err := a.begin(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := smallLoad{"GSE2", 10, 3, 1}.run(ctx, w)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the second load ended (%v) while the first was open", err)
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := a.commit(ctx, b1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the waiting load: %v", err)
	}
	// A caller's cancellation while waiting is reported as such.
	b2, err := a.begin(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Abort(ctx)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = smallLoad{"GSE3", 10, 3, 1}.run(cctx, w)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, qc.WarehouseBusy) {
		t.Fatalf("cancelled wait: err = %v, want the context's error", err)
	}
}

// TestGoroutinesShareAWarehouse runs loads from several goroutines on one
// *Warehouse: distinct studies all land, and the same content loaded twice
// lands once and is reported once as a duplicate.
func TestGoroutinesShareAWarehouse(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb")+"?busy_timeout=60s")
	loads := []smallLoad{
		{"GSE1", 50, 4, 1}, {"GSE2", 50, 4, 2}, {"GSE3", 50, 4, 3},
		{"GSE4", 50, 4, 4}, {"GSE4", 50, 4, 4}, {"GSE4", 50, 4, 4},
	}
	var wg sync.WaitGroup
	results := make([]warehouse.CommitResult, len(loads))
	errs := make([]error, len(loads))
	for i, l := range loads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = l.run(context.Background(), w)
		}()
	}
	wg.Wait()
	outcomes := map[warehouse.Outcome]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
		outcomes[results[i].Studies[0].Outcome]++
	}
	if outcomes[warehouse.Inserted] != 4 || outcomes[warehouse.Duplicate] != 2 {
		t.Fatalf("outcomes %v, want 4 new and 2 duplicates", outcomes)
	}
	var batches, facts int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM meta_batch`).Scan(&batches); err != nil {
		t.Fatal(err)
	}
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM fact_gene_expression`).Scan(&facts); err != nil {
		t.Fatal(err)
	}
	if batches != 4 || facts != 4*200 {
		t.Fatalf("%d batches and %d facts, want 4 and 800", batches, facts)
	}
}

// TestOpensOfOneFileShareItsLoads: every Open of one file in a process
// gives the same DuckDB database, so Warehouses made by separate Opens of
// it must behave as one: created at once, they find one schema; their
// loads wait for each other (busy_timeout) or are refused as busy, rather
// than conflicting at commit over the genes and platforms they share; and
// a run logging through one is live for the others.
func TestOpensOfOneFileShareItsLoads(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	ctx := context.Background()
	loads := []smallLoad{{"GSE1", 50, 4, 1}, {"GSE2", 50, 4, 2}, {"GSE3", 50, 4, 3}, {"GSE3", 50, 4, 3}}
	var wg sync.WaitGroup
	errs := make([]error, len(loads))
	outcomes := make([]warehouse.Outcome, len(loads))
	for i, l := range loads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := duckdb.Open(file + "?busy_timeout=60s")
			if err != nil {
				errs[i] = err
				return
			}
			defer w.Close()
			res, err := l.run(ctx, w)
			if err == nil {
				outcomes[i] = res.Studies[0].Outcome
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open and load %d of %s: %v", i, loads[i].study, err)
		}
	}
	if n := slices.Index(outcomes, warehouse.Duplicate); n < 2 || slices.Index(outcomes[n+1:], warehouse.Duplicate) >= 0 {
		t.Fatalf("outcomes %v, want one duplicate, of GSE3", outcomes)
	}

	w1, w2 := open(t, file), open(t, file)
	b, err := loads[0].begin(ctx, w1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if _, err := (smallLoad{"GSE4", 10, 3, 4}).run(ctx, w2); !errors.Is(err, qc.WarehouseBusy) {
		t.Fatalf("a load through a second Open while the first loads: %v, want code WarehouseBusy", err)
	}
	live := warehouse.StepRecord{LogID: "l1", RunID: "live", Study: "GSE1", Step: "load", Status: "RUNNING", StartedAt: time.Now()}
	if err := w1.LogStep(ctx, live); err != nil {
		t.Fatal(err)
	}
	if n, err := w2.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "next", Message: "aborted"}); err != nil || n != 0 {
		t.Fatalf("a second Open marked %d steps of a run going on through the first aborted (%v)", n, err)
	}

	// A Warehouse closed more than once (a deferred Close beside an
	// explicit one) leaves the others sharing: an Open made after it
	// still finds w1's load running. Three Closes of the third Open would
	// have released the file's state of all three.
	w3 := open(t, file)
	for range 3 {
		w3.Close()
	}
	w4 := open(t, file)
	if _, err := (smallLoad{"GSE5", 10, 3, 5}).run(ctx, w4); !errors.Is(err, qc.WarehouseBusy) {
		t.Fatalf("a load through an Open made after another was closed three times, while the first loads: %v, want code WarehouseBusy", err)
	}
}

// TestOpensByTwoNamesShareTheFile: two Opens of one file by two names (a
// hard link, or the file renamed while the first Open has it) share it as
// two Opens of one name do: DuckDB, which knows a file by its path, is
// given the name the process has it open by. Each name was a DuckDB
// database of its own writing the file, their loads not serialized, and a
// load one of them reported done was lost.
func TestOpensByTwoNamesShareTheFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second func(file, other string) error // gives the file its second name
	}{
		{"a hard link", os.Link},
		{"renamed while open", os.Rename},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file, other := filepath.Join(dir, "w.duckdb"), filepath.Join(dir, "same.duckdb")
			open(t, file).Close()
			ctx := context.Background()
			w1 := open(t, file)
			if err := tc.second(file, other); err != nil {
				t.Skipf("cannot give the file a second name here: %v", err)
			}
			w2 := open(t, other)
			b, err := (smallLoad{"GSE1", 50, 4, 1}).begin(ctx, w1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := (smallLoad{"GSE2", 10, 3, 2}).run(ctx, w2); !errors.Is(err, qc.WarehouseBusy) {
				t.Fatalf("a load through the second name while one through the first runs: %v, want code WarehouseBusy", err)
			}
			if _, err := (smallLoad{"GSE1", 50, 4, 1}).commit(ctx, b); err != nil {
				t.Fatal(err)
			}
			if _, err := (smallLoad{"GSE2", 10, 3, 2}).run(ctx, w2); err != nil {
				t.Fatal(err)
			}
			// One database: what either wrote, the other reads at once.
			for _, w := range []*duckdb.Warehouse{w1, w2} {
				var n int
				if err := w.DB().QueryRow(`SELECT COUNT(*) FROM meta_batch WHERE is_current`).Scan(&n); err != nil || n != 2 {
					t.Fatalf("%d current batches (%v), want GSE1's and GSE2's", n, err)
				}
			}
			w1.Close()
			w2.Close()
			again := open(t, other)
			var n int
			if err := again.DB().QueryRow(`SELECT COUNT(*) FROM meta_batch WHERE is_current`).Scan(&n); err != nil || n != 2 {
				t.Fatalf("reopened: %d current batches (%v), want both loads kept", n, err)
			}
		})
	}
}
