package warehousetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// This file holds the checks that a batch is all or nothing: whatever
// fails, and wherever it fails, readers see the previous state, and the
// next load completes.

// expectState checks that a study holds exactly fixture f loaded under hash:
// its facts, one current meta_batch row naming it, its title, and no staged
// rows left behind.
func expectState(t *testing.T, db *sql.DB, f fixture, study, hash string) {
	t.Helper()
	checkFacts(t, db, f, study, batchID(study, hash))
	if n := scalar(t, db, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND study_accession_code = `+lit(study)); n != 1 {
		t.Fatalf("%s has %d current batches, want 1", study, n)
	}
	if n := scalar(t, db, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND study_accession_code = `+lit(study)+
		` AND batch_id = `+lit(batchID(study, hash))); n != 1 {
		t.Fatalf("%s: the current batch is not %s", study, batchID(study, hash))
	}
	title := f.title
	if title == "" {
		title = "Study " + study
	}
	if n := scalar(t, db, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = `+lit(study)+` AND study_title = `+lit(title)); n != 1 {
		t.Fatalf("%s: title is not %q", study, title)
	}
	expectStagingEmpty(t, db)
}

func expectStagingEmpty(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, table := range []string{"staging.expression_values", "staging.matrix_rows", "staging.matrix_columns", "staging.load_batches"} {
		if n := scalar(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Fatalf("%s keeps %d rows outside a load", table, n)
		}
	}
}

func testEndsOnce(t *testing.T, tg Target) {
	ctx := context.Background()
	f := newFixture("GSE1", 4, 2, 1)
	b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		t.Fatal(err)
	}
	lbs := f.batches(10)
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lbs[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, f.commit("h1")); err != nil {
		t.Fatal(err)
	}
	// Refused as every failure is, with a code (ConstraintViolation).
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lbs[0]}); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("WriteRows after Commit: %v, want ConstraintViolation", err)
	}
	if err := b.UpsertDimensions(ctx, f.dimensions()); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("UpsertDimensions after Commit: %v, want ConstraintViolation", err)
	}
	if _, err := b.Commit(ctx, f.commit("h1")); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("a second Commit: %v, want ConstraintViolation", err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	expectState(t, tg.DB, f, "GSE1", "h1")
	// The ended batch does not hold the warehouse: another load runs.
	g := newFixture("GSE1", 4, 2, 2)
	load(t, tg.Sink, g, "h2")
	expectState(t, tg.DB, g, "GSE1", "h2")
}

func testRowsWritten(t *testing.T, tg Target) {
	f := newFixture("GSE1", 9, 5, 1)
	f.studies = []string{"GSE1", "GSE1", "GSE1", "GSE2", "GSE2"}
	f.skipMissing = true
	for _, c := range [][2]int{{0, 0}, {3, 1}, {8, 4}, {8, 3}} {
		f.values[c[0]][c[1]] = math.NaN()
	}
	res := load(t, tg.Sink, f, "h1")
	for _, st := range []string{"GSE1", "GSE2"} {
		want := f.cells(st)
		if r := outcome(t, res, st); r.RowsWritten != want {
			t.Errorf("%s: RowsWritten = %d, want %d", st, r.RowsWritten, want)
		}
		if n := factCount(t, tg.DB, st); n != want {
			t.Errorf("%s: %d facts, want %d", st, n, want)
		}
		if n := scalar(t, tg.DB, `SELECT rows_written FROM meta_batch WHERE is_current = 1 AND study_accession_code = `+lit(st)); n != want {
			t.Errorf("%s: meta_batch.rows_written = %d, want %d", st, n, want)
		}
		checkFacts(t, tg.DB, f, st, batchID(st, "h1"))
	}
}

func testDuplicateBatchRow(t *testing.T, tg Target) {
	f := newFixture("GSE1", 6, 4, 1)
	f.studies = []string{"GSE1", "GSE1", "GSE2", "GSE2"}
	if _, err := loadAs(context.Background(), tg.Sink, f, "h1", "run-first"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		res, err := loadAs(context.Background(), tg.Sink, f, "h1", "run-again")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Studies {
			if r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 {
				t.Fatalf("reload %d: %+v, want a duplicate writing nothing", i, r)
			}
		}
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch`); n != 2 {
		t.Fatalf("meta_batch has %d rows, want one per study (2)", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE run_id = 'run-first' AND is_current = 1`); n != 2 {
		t.Fatal("a duplicate rewrote the batch rows of the first load")
	}
	for _, st := range []string{"GSE1", "GSE2"} {
		expectState(t, tg.DB, f, st, "h1")
	}
}

func testSCD1Study(t *testing.T, tg Target) {
	f := newFixture("GSE1", 5, 2, 1)
	load(t, tg.Sink, f, "h1")
	study := scalar(t, tg.DB, `SELECT study_key FROM dim_study WHERE study_accession_code = 'GSE1'`)
	platform := scalar(t, tg.DB, `SELECT platform_key FROM dim_platform WHERE platform_accession = 'GPL570'`)
	g := newFixture("GSE1", 5, 2, 2)
	g.title, g.platformName = "renamed study", "renamed platform"
	if r := outcome(t, load(t, tg.Sink, g, "h2"), "GSE1"); r.Outcome != warehouse.Replaced {
		t.Fatalf("%+v, want replaced", r)
	}
	expectState(t, tg.DB, g, "GSE1", "h2")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'GSE1' AND study_key = `+fmt.Sprint(study)); n != 1 {
		t.Fatal("the study's key changed")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_platform WHERE platform_accession = 'GPL570' AND platform_name = 'renamed platform' AND platform_key = `+fmt.Sprint(platform)); n != 1 {
		t.Fatal("the platform was not renamed in place")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study`) + scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_platform`); n != 2 {
		t.Fatalf("%d study and platform rows, want 2", n)
	}
}

// testRefusedCommit commits one real study and one the batch has no
// columns for: the backend must refuse the whole commit, and the real
// study's replacement and dimension changes must not happen.
func testRefusedCommit(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	ctx := context.Background()
	changed := newFixture("GSE1", 6, 3, 2)
	changed.title = "must not survive"
	b := stage(t, tg.Sink, changed, "r", 4)
	req := changed.commit("h2")
	req.Studies = append(req.Studies, warehouse.StudyCommit{Study: "GSE404", BatchID: batchID("GSE404", "h2")})
	if _, err := b.Commit(ctx, req); err == nil {
		t.Fatal("Commit of a study without columns succeeded")
	}
	expectState(t, tg.DB, old, "GSE1", "h1")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'GSE404'`) +
		scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE study_accession_code = 'GSE404'`); n != 0 {
		t.Fatal("the refused study left rows behind")
	}
	load(t, tg.Sink, changed, "h2")
	expectState(t, tg.DB, changed, "GSE1", "h2")
}

func testUndeclaredColumn(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	ctx := context.Background()
	changed := newFixture("GSE1", 6, 3, 2)
	b := stage(t, tg.Sink, changed, "r", 0)
	lbs := changed.batches(100)
	lbs[0].Column[len(lbs[0].Column)-1] = 99 // not among the three declared columns
	err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lbs[0]})
	if err == nil {
		_, err = b.Commit(ctx, changed.commit("h2"))
	}
	if err == nil {
		t.Fatal("a batch with a row in an undeclared column committed")
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	expectState(t, tg.DB, old, "GSE1", "h1")
}

// testRepeatedLines: a line names one gene for the whole load, so a second
// batch whose lines start again (as a reader numbering each batch from 2
// would give) fails the batch: placed by line, its cells would land on the
// first batch's genes.
func testRepeatedLines(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	ctx := context.Background()
	changed := newFixture("GSE1", 10, 3, 2)
	b := stage(t, tg.Sink, changed, "r", 0)
	lbs := changed.batches(5)
	if len(lbs) < 2 {
		t.Fatalf("the fixture gave %d batches, want two or more", len(lbs))
	}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lbs[0]}); err != nil {
		t.Fatal(err)
	}
	copy(lbs[1].GeneLines, lbs[0].GeneLines) // the second batch's genes on the first's lines
	err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lbs[1]})
	if err == nil {
		_, err = b.Commit(ctx, changed.commit("h2"))
	}
	if err == nil {
		t.Fatal("a batch whose gene lines repeat committed")
	}
	if !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("got %v, want code %d", err, qc.ConstraintViolation)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	expectState(t, tg.DB, old, "GSE1", "h1")
}

// testCancelAnywhere loads changing content under deadlines spread over
// the time an undisturbed load takes, so the cancellation lands in Begin, in
// the dimension upsert, while rows stream, and at many points inside
// Commit. After every attempt the study is exactly the last content that
// loaded without error: a load that reports an error has changed nothing.
func testCancelAnywhere(t *testing.T, tg Target) {
	last, lastHash := newFixture("GSE1", 300, 6, 1), "c0"
	start := time.Now()
	load(t, tg.Sink, last, lastHash)
	took := time.Since(start)
	const attempts = 40
	failed := 0
	for i := 0; i < attempts; i++ {
		f := newFixture("GSE1", 300, 6, float64(i+2))
		f.title = fmt.Sprintf("content %d", i+1)
		hash := fmt.Sprintf("c%d", i+1)
		d := took * time.Duration(i) / attempts
		ctx, cancel := context.WithTimeout(context.Background(), d)
		_, err := tryLoad(ctx, tg.Sink, f, hash)
		cancel()
		if err == nil {
			last, lastHash = f, hash
		} else {
			failed++
			if ctx.Err() == nil {
				t.Fatalf("deadline %v: failed before the deadline: %v", d, err)
			}
		}
		expectState(t, tg.DB, last, "GSE1", lastHash)
	}
	if failed == 0 {
		t.Fatal("no load was cancelled; the deadlines are too long to test anything")
	}
	t.Logf("%d of %d loads cancelled (an undisturbed load took %v)", failed, attempts, took)
	f := newFixture("GSE1", 300, 6, 100)
	load(t, tg.Sink, f, "final")
	expectState(t, tg.DB, f, "GSE1", "final")
}

// testReadersDuringReplace reads the study continuously while its facts are
// replaced: every read must see the whole old batch or the whole new one.
func testReadersDuringReplace(t *testing.T, tg Target) {
	old := newFixture("GSE1", 400, 5, 1)
	load(t, tg.Sink, old, "h1")
	changed := newFixture("GSE1", 300, 5, 2)
	valid := map[string]bool{
		fmt.Sprintf("2000 1 %s", batchID("GSE1", "h1")): true,
		fmt.Sprintf("1500 1 %s", batchID("GSE1", "h2")): true,
	}
	query := `SELECT COUNT(*), COUNT(DISTINCT batch_id), MIN(batch_id) FROM analytics.vw_expression_long
		WHERE study_accession_code = 'GSE1'`
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		seen     = map[string]int{}
		readErr  error
		stop     = make(chan struct{})
		finished = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var n, distinct int64
			var batch sql.NullString
			if err := tg.DB.QueryRow(query).Scan(&n, &distinct, &batch); err != nil {
				mu.Lock()
				readErr = errors.Join(readErr, err)
				mu.Unlock()
				return
			}
			obs := fmt.Sprintf("%d %d %s", n, distinct, batch.String)
			mu.Lock()
			seen[obs]++
			mu.Unlock()
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	go func() {
		defer close(finished)
		_, err := tryLoad(context.Background(), tg.Sink, changed, "h2")
		if err != nil {
			mu.Lock()
			readErr = errors.Join(readErr, err)
			mu.Unlock()
		}
	}()
	<-finished
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Fatal(readErr)
	}
	for obs, n := range seen {
		if !valid[obs] {
			t.Errorf("a reader saw %q (%d times): neither the old batch nor the new", obs, n)
		}
	}
	if len(seen) == 0 {
		t.Fatal("the reader never read")
	}
	t.Logf("reads: %v", seen)
	expectState(t, tg.DB, changed, "GSE1", "h2")
}

// testUnknownIllness: a sample whose label is none of dim_illness's five
// (a misspelling, another case) fails the batch with ConstraintViolation,
// at UpsertDimensions or at the latest at Commit, and changes nothing; it
// is never stored as no label, which the views would show as UNKNOWN.
func testUnknownIllness(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	for _, label := range []string{"sepsis", "SEPSIS ", "INFECTED"} {
		changed := newFixture("GSE1", 6, 3, 2)
		changed.illness[1] = label
		_, err := tryLoad(context.Background(), tg.Sink, changed, "h2")
		if !errors.Is(err, qc.ConstraintViolation) {
			t.Errorf("a sample labelled %q: %v, want %s", label, err, qc.ConstraintViolation.Name())
		}
		expectState(t, tg.DB, old, "GSE1", "h1")
	}
}
