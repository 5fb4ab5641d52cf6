package mssql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// matrix is a small load: genes × samples of one or more studies.
type matrix struct {
	genes   []string
	samples []string
	studies []string // study of each sample column
	values  [][]float64
}

func newMatrix(genes, samples int, studies ...string) matrix {
	if len(studies) == 0 {
		studies = []string{"GSE1"}
	}
	m := matrix{}
	for g := 0; g < genes; g++ {
		m.genes = append(m.genes, fmt.Sprintf("ENSG%05d", g+1))
		row := make([]float64, samples)
		for s := range row {
			row[s] = float64(g+1) + float64(s+1)/7
		}
		m.values = append(m.values, row)
	}
	for s := 0; s < samples; s++ {
		st := studies[s*len(studies)/samples]
		m.samples = append(m.samples, fmt.Sprintf("%s_S%d", st, s+1))
		m.studies = append(m.studies, st)
	}
	return m
}

func (m matrix) begin() warehouse.BeginRequest {
	req := warehouse.BeginRequest{RunID: "run-1", FileName: "m.tsv"}
	for i := range m.samples {
		req.Columns = append(req.Columns, warehouse.Column{Index: i, Sample: m.samples[i], Study: m.studies[i]})
	}
	return req
}

func (m matrix) dims() warehouse.DimensionsRequest {
	var d warehouse.DimensionsRequest
	seen := map[string]bool{}
	for i, s := range m.samples {
		if !seen[m.studies[i]] {
			seen[m.studies[i]] = true
			d.Studies = append(d.Studies, warehouse.Study{Accession: m.studies[i], Title: "t"})
		}
		d.Samples = append(d.Samples, warehouse.Sample{Accession: s, Study: m.studies[i], Platform: "GPL570", Illness: "SEPSIS"})
	}
	d.Platforms = []warehouse.Platform{{Accession: "GPL570"}}
	return d
}

// batches melts the matrix in batches of rows genes; line numbers start at 2.
func (m matrix) batches(rows int) []*expression.LongBatch {
	var out []*expression.LongBatch
	for start := 0; start < len(m.genes); start += rows {
		lb := &expression.LongBatch{}
		for g := start; g < min(start+rows, len(m.genes)); g++ {
			lb.Genes = append(lb.Genes, m.genes[g])
			lb.GeneLines = append(lb.GeneLines, int64(g+2))
			for s, v := range m.values[g] {
				lb.Row = append(lb.Row, int32(g-start))
				lb.Column = append(lb.Column, int32(s))
				lb.Value = append(lb.Value, v)
			}
		}
		out = append(out, lb)
	}
	return out
}

func (m matrix) commit(hash string) warehouse.CommitRequest {
	req := warehouse.CommitRequest{FileHash: hash}
	seen := map[string]bool{}
	for _, st := range m.studies {
		if !seen[st] {
			seen[st] = true
			req.Studies = append(req.Studies, warehouse.StudyCommit{Study: st, BatchID: st + "-" + hash,
				Findings: []*qc.Error{{Code: qc.GeneCountLow, Severity: qc.SeverityWarning, Msg: "low"}}})
		}
	}
	return req
}

// stage runs Begin, UpsertDimensions and WriteRows.
func stage(t *testing.T, w *Warehouse, m matrix, rows int) warehouse.Batch {
	t.Helper()
	ctx := context.Background()
	b, err := w.Begin(ctx, m.begin())
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if err := b.UpsertDimensions(ctx, m.dims()); err != nil {
		t.Fatalf("UpsertDimensions: %v", err)
	}
	for _, lb := range m.batches(rows) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
	}
	return b
}

func testConfig(chunk int) Config {
	return Config{ChunkRows: chunk, BusyTimeout: time.Second, Retry: RetryPolicy{Attempts: 3, BaseDelay: time.Millisecond}}
}

func TestLoadStatementsInOrder(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2)
	res, err := b.Commit(context.Background(), m.commit("h1"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"session_options", "next_load_key", "load_lock", "register_load", "stale_loads",
		"copy:staging.matrix_columns", "copy:staging.dim_study", "copy:staging.dim_platform", "copy:staging.dim_sample",
		// 12 cells in copies of 5: two during WriteRows, the rest at Commit.
		"copy:staging.matrix_rows", "copy:staging.expression_values",
		"copy:staging.matrix_rows", "copy:staging.expression_values",
		"copy:staging.expression_values",
		"BEGIN", "publish_lock", "staged_counts", "duplicate_keys", "copy:staging.load_batches",
		"merge_platforms", "merge_studies", "merge_samples", "merge_study_samples", "merge_genes", "missing_samples",
		"classify_batches", "read_batches", "drop_study_samples", "insert_facts", "retire_batch", "record_batch",
		"upsert_study_qc", "upsert_batch_qc", "insert_findings", "COMMIT",
		// Staging is cleared after the commit, outside its transaction,
		// while the load's lock is held: the cells in one window (the
		// load is small), then the rest.
		"staged_lines", "clear_cells", "clear_load", "load_unlock",
	}
	if got := s.names(); !slices.Equal(got, want) {
		t.Fatalf("statements:\n got %q\nwant %q", got, want)
	}
	r := res.Studies[0]
	if r.Outcome != warehouse.Inserted || r.RowsWritten != 12 || r.PreviousBatchID != "" {
		t.Fatalf("result %+v", r)
	}
}

// A server whose 'user options' turn NOCOUNT on for every session sends
// no row counts unless the session turns it off: the bulk copies' counts
// (checked against what was sent) and the rows written depend on it.
func TestLoadCountsRowsWhenServerDefaultsToNocount(t *testing.T) {
	s := newFakeServer(t)
	s.nocount = true
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	ctx := context.Background()
	b := stage(t, w, m, 2)
	defer b.Abort(ctx)
	res, err := b.Commit(ctx, m.commit("h1"))
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if r := res.Studies[0]; r.RowsWritten != 12 {
		t.Fatalf("rows written %d, want 12", r.RowsWritten)
	}
	var recorded []any
	for _, c := range s.callsOf("record_batch") {
		recorded = append(recorded, c.args[6])
	}
	if !slices.Equal(recorded, []any{int64(12)}) {
		t.Fatalf("meta_batch.rows_written recorded as %v, want [12]", recorded)
	}
}

func TestCellsAreCopiedExactlyInChunks(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	m.values[1][2] = math.NaN()
	b := stage(t, w, m, 3)
	if _, err := b.Commit(context.Background(), m.commit("h1")); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, c := range s.copiesOf("staging.expression_values") {
		sizes = append(sizes, len(c.rows))
	}
	if !slices.Equal(sizes, []int{5, 5, 2}) {
		t.Fatalf("copy sizes %v, want [5 5 2]", sizes)
	}
	got := map[[2]int64]any{}
	for _, r := range s.rowsOf("staging.expression_values") {
		if r[0].(int64) != 42 {
			t.Fatalf("row %v has load key %v, want 42", r, r[0])
		}
		got[[2]int64{r[1].(int64), int64(r[2].(int32))}] = r[3]
	}
	for g := range m.genes {
		for c, v := range m.values[g] {
			cell, ok := got[[2]int64{int64(g + 2), int64(c)}]
			switch {
			case !ok:
				t.Fatalf("cell (line %d, column %d) was not copied", g+2, c)
			case math.IsNaN(v):
				if cell != nil {
					t.Fatalf("missing cell copied as %v, want NULL", cell)
				}
			case math.Float64bits(cell.(float64)) != math.Float64bits(v):
				t.Fatalf("cell (line %d, column %d) = %v, want %v", g+2, c, cell, v)
			}
		}
	}
	var genes []string
	for _, r := range s.rowsOf("staging.matrix_rows") {
		genes = append(genes, fmt.Sprintf("%d:%s", r[1], r[2]))
	}
	if want := []string{"2:ENSG00001", "3:ENSG00002", "4:ENSG00003", "5:ENSG00004"}; !slices.Equal(genes, want) {
		t.Fatalf("gene lines %v, want %v", genes, want)
	}
}

// signature is the load signature a load of the whole matrix records for
// study: every one of its columns, every cell staged.
func (m matrix) signature(study string) string {
	var cells int64
	for _, row := range m.values {
		for s := range row {
			if m.studies[s] == study {
				cells++
			}
		}
	}
	return warehouse.LoadSignature(study, m.begin().Columns, cells)
}

func TestReplaceAndDuplicate(t *testing.T) {
	m := newMatrix(3, 2)
	tests := []struct {
		name    string
		current currentBatch
		want    warehouse.Outcome
		rows    int64
		stmts   map[string]int
	}{
		{"new", currentBatch{}, warehouse.Inserted, 6, map[string]int{"delete_facts": 0, "insert_facts": 1, "record_batch": 1,
			"drop_features": 0, "stale_features": 0, "drop_study_samples": 1}},
		{"replaced", currentBatch{"GSE1-old", "s"}, warehouse.Replaced, 6, map[string]int{"delete_facts": 1, "insert_facts": 1,
			"record_batch": 1, "drop_features": 1, "stale_features": 1, "drop_study_samples": 1}},
		{"duplicate", currentBatch{"GSE1-h1", m.signature("GSE1")}, warehouse.Duplicate, 0, map[string]int{"delete_facts": 0,
			"insert_facts": 0, "record_batch": 0, "drop_features": 0, "stale_features": 0, "upsert_study_qc": 1, "clear_load": 1,
			"drop_study_samples": 0}},
		// The same content loaded before with other rows (another column
		// mapping or missing-value policy): replaced, and the features
		// carrying the batch id, computed from the old rows, go.
		{"same batch, other signature", currentBatch{"GSE1-h1", "another signature"}, warehouse.Replaced, 6,
			map[string]int{"delete_facts": 1, "insert_facts": 1, "record_batch": 1, "drop_features": 1, "stale_features": 1}},
		{"same batch, loaded before signatures", currentBatch{"GSE1-h1", ""}, warehouse.Replaced, 6,
			map[string]int{"delete_facts": 1, "insert_facts": 1, "record_batch": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			if tc.current.id != "" {
				s.current["GSE1"] = tc.current
			}
			w := s.open(t, testConfig(100))
			res, err := stage(t, w, m, 10).Commit(context.Background(), m.commit("h1"))
			if err != nil {
				t.Fatal(err)
			}
			r := res.Studies[0]
			if r.Outcome != tc.want || r.RowsWritten != tc.rows || r.PreviousBatchID != tc.current.id {
				t.Fatalf("result %+v, want %s with %d rows after %q", r, tc.want, tc.rows, tc.current.id)
			}
			for name, n := range tc.stmts {
				if got := s.count(name); got != n {
					t.Errorf("%s ran %d times, want %d", name, got, n)
				}
			}
			for _, c := range s.callsOf("drop_study_samples") {
				if !c.inTx || len(c.args) != 3 || c.args[2] != "GSE1" {
					t.Errorf("drop_study_samples: %+v, want the load, the study's key and its accession, in the commit", c)
				}
			}
			for _, name := range []string{"drop_features", "stale_features"} {
				for _, c := range s.callsOf(name) {
					if !c.inTx || len(c.args) != 2 || c.args[1] != "GSE1-h1" {
						t.Errorf("%s: %+v, want the study's key and the published batch id, in the commit", name, c)
					}
				}
			}
		})
	}
}

func TestMultiStudyCommit(t *testing.T) {
	s := newFakeServer(t)
	m := newMatrix(3, 4, "GSE1", "GSE2")
	s.current["GSE2"] = currentBatch{"GSE2-h1", m.signature("GSE2")}
	w := s.open(t, testConfig(100))
	res, err := stage(t, w, m, 10).Commit(context.Background(), m.commit("h1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Studies) != 2 {
		t.Fatalf("%+v", res)
	}
	if r := res.Studies[0]; r.Study != "GSE1" || r.Outcome != warehouse.Inserted || r.RowsWritten != 6 {
		t.Errorf("GSE1: %+v", r)
	}
	if r := res.Studies[1]; r.Study != "GSE2" || r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 {
		t.Errorf("GSE2: %+v", r)
	}
	if n := s.count("upsert_study_qc"); n != 2 {
		t.Errorf("QC recorded %d times, want 2 (duplicates too)", n)
	}
}

// TestBatchQCKeepsKSRowsWhole: the rows the KS check read and whether they
// were sampled reach meta_batch_qc together or not at all.
func TestBatchQCKeepsKSRowsWhole(t *testing.T) {
	rows, sampled := int64(300), false
	tests := []struct {
		name       string
		qc         warehouse.StudyQC
		rows, samp any
	}{
		{"both", warehouse.StudyQC{KSRowsUsed: &rows, KSSampled: &sampled}, int64(300), false},
		{"rows only", warehouse.StudyQC{KSRowsUsed: &rows}, nil, nil},
		{"sampled only", warehouse.StudyQC{KSSampled: &sampled}, nil, nil},
		{"neither", warehouse.StudyQC{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			w := s.open(t, testConfig(100))
			err := w.RecordStudyQC(context.Background(), warehouse.StudyQCRequest{RunID: "r", Study: "GSE1", BatchID: "GSE1-h1",
				Status: warehouse.QCRejected, QC: tc.qc})
			if err != nil {
				t.Fatal(err)
			}
			calls := s.callsOf("upsert_batch_qc")
			if len(calls) != 1 {
				t.Fatalf("upsert_batch_qc ran %d times", len(calls))
			}
			args := calls[0].args
			if got := [2]any{args[17], args[18]}; got != [2]any{tc.rows, tc.samp} {
				t.Errorf("ks_rows_used, ks_sampled = %v, want %v, %v", got, tc.rows, tc.samp)
			}
			if args[2] != warehouse.QCRejected {
				t.Errorf("qc_status = %v", args[2])
			}
		})
	}
}

// TestStatusBeforeMigration: a read-only status of a warehouse below
// version 3 reads its studies without meta_batch.load_signature, which
// SQL Server would refuse to compile; from version 3 on it reads the
// signatures.
func TestStatusBeforeMigration(t *testing.T) {
	for _, tc := range []struct {
		version   int64
		want, not string
	}{{2, "status_studies_v2", "status_studies"}, {3, "status_studies", "status_studies_v2"}} {
		s := newFakeServer(t)
		s.version = tc.version
		w := s.open(t, Config{Retry: RetryPolicy{Attempts: 1}})
		st, err := w.Status(context.Background(), warehouse.StatusRequest{})
		if err != nil {
			t.Fatalf("version %d: %v", tc.version, err)
		}
		if st.SchemaVersion != int(tc.version) || len(st.Studies) != 1 || st.Studies[0].Study != "GSE1" {
			t.Fatalf("version %d: %+v", tc.version, st)
		}
		if s.count(tc.want) != 1 || s.count(tc.not) != 0 {
			t.Fatalf("version %d ran %v", tc.version, s.names())
		}
	}
}

var deadlock = mssqldrv.Error{Number: 1205, Message: "Transaction (Process ID 61) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction."}

func TestCommitRetriesWholeTransactionAfterDeadlock(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(3, 2)
	b := stage(t, w, m, 10)
	s.failNext("insert_facts", deadlock)
	res, err := b.Commit(context.Background(), m.commit("h1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Studies[0].RowsWritten != 6 {
		t.Fatalf("%+v", res)
	}
	for name, n := range map[string]int{"BEGIN": 2, "ROLLBACK": 1, "COMMIT": 1, "publish_lock": 2, "merge_genes": 2, "insert_facts": 2} {
		if got := s.count(name); got != n {
			t.Errorf("%s ran %d times, want %d", name, got, n)
		}
	}
	if n := len(s.rowsOf("staging.load_batches")); n != 1 {
		t.Fatalf("load_batches rows committed = %d, want 1 (the rolled-back copy must not count)", n)
	}
}

func TestCopyRetriedWhenServerRolledItBack(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(4))
	m := newMatrix(2, 2)
	s.failNext("copy:staging.expression_values", mssqldrv.Error{Number: 40501, Message: "The service is currently busy."})
	b := stage(t, w, m, 2)
	if _, err := b.Commit(context.Background(), m.commit("h1")); err != nil {
		t.Fatal(err)
	}
	if n := s.count("copy:staging.expression_values"); n != 2 {
		t.Fatalf("cells copied %d times, want 2 (one refused, one retried)", n)
	}
	if n := len(s.rowsOf("staging.expression_values")); n != 4 {
		t.Fatalf("staged cells %d, want 4", n)
	}
}

// loadLosingItsConnection begins a load whose first bulk copy loses the
// connection, and checks that WriteRows says so.
func loadLosingItsConnection(t *testing.T) (*fakeServer, *Warehouse, matrix, warehouse.Batch) {
	t.Helper()
	s := newFakeServer(t)
	w := s.open(t, testConfig(4))
	m := newMatrix(4, 2)
	b, err := w.Begin(context.Background(), m.begin())
	if err != nil {
		t.Fatal(err)
	}
	s.failNext("copy:staging.expression_values", driver.ErrBadConn)
	if err := b.WriteRows(context.Background(), warehouse.RowsRequest{Rows: m.batches(4)[0]}); !errors.Is(err, qc.ConnectionFailed) {
		t.Fatalf("WriteRows after a lost connection: %v, want code ConnectionFailed", err)
	}
	return s, w, m, b
}

func TestLostConnectionEndsTheLoad(t *testing.T) {
	s, w, m, b := loadLosingItsConnection(t)
	ctx := context.Background()
	if n := s.count("copy:staging.expression_values"); n != 1 {
		t.Fatalf("a copy on a lost connection was tried %d times, want 1", n)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	// The load's staging rows are deleted from another session, after its
	// own was discarded and that session took the load's lock (granted once
	// the old session ended): not left to the next load.
	load := s.callsOf("register_load")[0].conn
	clears, locks, unlocks := s.callsOf("clear_load"), s.callsOf("load_lock_wait"), s.callsOf("load_unlock")
	if len(clears) != 1 || clears[0].conn == load {
		t.Fatalf("clear_load ran %d times (%+v), want once, on another connection than the load's %d", len(clears), clears, load)
	}
	if len(locks) != 1 || locks[0].conn != clears[0].conn || len(unlocks) != 1 || unlocks[0].conn != clears[0].conn {
		t.Fatalf("locks %+v, unlocks %+v: want the load's lock taken and given back by the session that cleared it", locks, unlocks)
	}
	opened := s.opened
	if _, err := w.Begin(ctx, m.begin()); err != nil {
		t.Fatal(err)
	}
	if s.opened != opened+1 {
		t.Fatalf("the broken connection went back to the pool (opened %d → %d)", opened, s.opened)
	}
}

func TestDataErrorIsNotRetried(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	s.failNext("merge_samples", mssqldrv.Error{Number: 2628, Message: "String or binary data would be truncated in table 'dbo.dim_sample', column 'sample_title'."})
	_, err := b.Commit(context.Background(), m.commit("h1"))
	if !errors.Is(err, qc.ConstraintViolation) {
		t.Fatalf("Commit: %v, want code ConstraintViolation", err)
	}
	if n := s.count("BEGIN"); n != 1 {
		t.Fatalf("a data error was retried (%d transactions)", n)
	}
	names := s.names()
	if !slices.Contains(names, "ROLLBACK") || slices.Contains(names, "COMMIT") {
		t.Fatalf("statements %q: want a rollback and no commit", names)
	}
	// Commit's failure aborts: staging cleared, lock released.
	if s.count("clear_load") != 1 || s.count("load_unlock") != 1 {
		t.Fatalf("after a failed commit: clear_load %d, load_unlock %d, want 1 and 1", s.count("clear_load"), s.count("load_unlock"))
	}
	if _, err := b.Commit(context.Background(), m.commit("h1")); !errors.Is(err, errDone) {
		t.Fatalf("Commit after a failed Commit: %v", err)
	}
}

func TestBusyWarehouse(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	s.lockResult = -1
	_, err := b.Commit(context.Background(), m.commit("h1"))
	if !errors.Is(err, qc.WarehouseBusy) {
		t.Fatalf("Commit with the publish lock taken: %v, want WarehouseBusy", err)
	}
	if n := s.count("BEGIN"); n != 1 {
		t.Fatalf("a busy warehouse was retried %d times", n)
	}
}

func TestBeginRemovesDeadLoads(t *testing.T) {
	s := newFakeServer(t)
	s.stale = []int64{7, 9}
	w := s.open(t, testConfig(100))
	if _, err := w.Begin(context.Background(), newMatrix(1, 1).begin()); err != nil {
		t.Fatal(err)
	}
	var cleared []int64
	for _, c := range s.calls {
		if c.name == "stale_loads" && c.args[0].(int64) != 42 {
			t.Fatalf("stale_loads excluded load %v, want the new load 42", c.args[0])
		}
		if c.name == "clear_load" {
			cleared = append(cleared, c.args[0].(int64))
		}
	}
	if !slices.Equal(cleared, []int64{7, 9}) {
		t.Fatalf("cleared %v, want [7 9]", cleared)
	}
	n, err := w.CleanStaging(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("CleanStaging = %d, %v", n, err)
	}
}

func TestCommitChecksStagingAgainstWhatWasSent(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(2))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	// Another session removed this load's rows (as if it had been taken
	// for dead): the commit must refuse to publish a partial load.
	s.mu.Lock()
	s.copies = slices.DeleteFunc(s.copies, func(c copied) bool { return c.table == "staging.expression_values" })
	s.mu.Unlock()
	_, err := b.Commit(context.Background(), m.commit("h1"))
	if !errors.Is(err, qc.ConstraintViolation) || s.count("insert_facts") != 0 {
		t.Fatalf("Commit over missing staging rows: %v (insert_facts %d)", err, s.count("insert_facts"))
	}
}

func TestCommitRefusesUnknownSample(t *testing.T) {
	s := newFakeServer(t)
	s.missing = "GSE1_S2"
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	_, err := stage(t, w, m, 10).Commit(context.Background(), m.commit("h1"))
	if !errors.Is(err, qc.DimensionLookupFailed) {
		t.Fatalf("Commit: %v, want DimensionLookupFailed", err)
	}
}

func TestUndeclaredColumnFailsTheBatch(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(3, 2)
	ctx := context.Background()
	b, err := w.Begin(ctx, m.begin())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	lb := m.batches(10)[0]
	lb.Column[len(lb.Column)-1] = 7 // Begin declared columns 0 and 1
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); !errors.Is(err, qc.ConstraintViolation) {
		t.Fatalf("WriteRows with an undeclared column: %v, want ConstraintViolation", err)
	}
	if s.count("insert_facts") != 0 {
		t.Fatalf("statements %q", s.names())
	}
}

func TestCommitRefusesStudyWithoutColumns(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	req := m.commit("h1")
	req.Studies = append(req.Studies, warehouse.StudyCommit{Study: "GSE404", BatchID: "b404"})
	if _, err := b.Commit(context.Background(), req); !errors.Is(err, qc.ConstraintViolation) {
		t.Fatalf("Commit naming a study without columns: %v, want ConstraintViolation", err)
	}
	if s.count("COMMIT") != 0 || s.count("insert_facts") != 0 {
		t.Fatalf("a refused commit ran %q", s.names())
	}
}

func TestCancelledCommitStillCleansUp(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Commit(ctx, m.commit("h1")); err == nil {
		t.Fatal("Commit with a cancelled context succeeded")
	}
	if s.count("COMMIT") != 0 || s.count("clear_load") != 1 || s.count("load_unlock") != 1 {
		t.Fatalf("statements %q", s.names())
	}
	if err := b.Abort(context.Background()); err != nil {
		t.Fatalf("Abort after a failed Commit: %v", err)
	}
}

func TestAbortTwiceAndUseAfterAbort(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 2)
	b := stage(t, w, m, 10)
	ctx := context.Background()
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: m.batches(1)[0]}); !errors.Is(err, errDone) {
		t.Fatalf("WriteRows after Abort: %v", err)
	}
	if _, err := b.Commit(ctx, m.commit("h1")); !errors.Is(err, errDone) {
		t.Fatalf("Commit after Abort: %v", err)
	}
	if s.count("clear_load") != 1 || s.count("load_unlock") != 1 {
		t.Fatalf("statements %q", s.names())
	}
}

func TestDimensionOrdinalsGrowAcrossCalls(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(1, 2)
	b := stage(t, w, m, 10)
	d := m.dims()
	d.Samples[0].Illness = "CONTROL"
	if err := b.UpsertDimensions(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	var ords []int32
	for _, r := range s.rowsOf("staging.dim_sample") {
		ords = append(ords, r[1].(int32))
	}
	// Study 0, platform 1, samples 2 and 3; then study 4, platform 5,
	// samples 6 and 7: the later member of a key has the higher ordinal.
	if want := []int32{2, 3, 6, 7}; !slices.Equal(ords, want) {
		t.Fatalf("sample ordinals %v, want %v", ords, want)
	}
}

func TestLogStepRetriedAfterLostConnection(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	s.failNext("log_step", reset)
	code := 2003
	rows := int64(5)
	end := time.Date(2026, 1, 2, 3, 4, 6, 0, time.FixedZone("X", 3600))
	err := w.LogStep(context.Background(), warehouse.StepRecord{LogID: "l1", RunID: "r1", Step: "load", Status: "FAILED",
		StartedAt: end.Add(-time.Second), EndedAt: &end, RowsRead: &rows, ErrorCode: &code})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.count("log_step"); n != 2 {
		t.Fatalf("log_step ran %d times, want 2", n)
	}
	last := s.calls[len(s.calls)-1]
	if st := last.args[7].(time.Time); st.Location() != time.UTC || !st.Equal(end.Add(-time.Second)) {
		t.Fatalf("started_at passed as %v, want the same instant in UTC", st)
	}
	if last.args[6] != int32(1) || last.args[11] != int32(2003) || last.args[10] != nil {
		t.Fatalf("attempt, error code, rows written = %v, %v, %v", last.args[6], last.args[11], last.args[10])
	}
}

func TestRecordFindingsInChunksOnce(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	var fs []*qc.Error
	for i := range 450 {
		fs = append(fs, &qc.Error{Code: qc.DuplicateGenes, Severity: qc.SeverityWarning, Study: "GSE1", File: "m.tsv", Line: int64(i + 2), Msg: "dup"})
	}
	if err := w.RecordFindings(context.Background(), warehouse.FindingsRequest{RunID: "r", Findings: fs}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, c := range s.calls {
		if c.name == "insert_findings" {
			sizes = append(sizes, len(c.args)/len(findingColumns))
		}
	}
	if !slices.Equal(sizes, []int{200, 200, 50}) || s.count("COMMIT") != 1 {
		t.Fatalf("findings inserted in %v (commits %d), want [200 200 50] in one transaction", sizes, s.count("COMMIT"))
	}
	// A lost connection may have committed the findings: not retried.
	s.failNext("insert_findings", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	err := w.RecordFindings(context.Background(), warehouse.FindingsRequest{RunID: "r", Findings: fs[:1]})
	if !errors.Is(err, qc.ConnectionFailed) {
		t.Fatalf("RecordFindings on a lost connection: %v", err)
	}
	if n := s.count("insert_findings"); n != 4 {
		t.Fatalf("insert_findings ran %d times, want 4 (no retry)", n)
	}
}

// BenchmarkWriteRows measures the client side of staging cells: buffering,
// mapping each cell to a bulk copy row and passing it through database/sql
// to the driver. The driver here is the scripted one, so go-mssqldb's TDS
// encoding and the network are not included (see README.md for how the
// throughput estimate adds them).
func BenchmarkWriteRows(b *testing.B) {
	s := newFakeServer(&testing.T{})
	w := s.open(&testing.T{}, testConfig(DefaultChunkRows))
	m := newMatrix(2000, 100)
	lbs := m.batches(100)
	cells := int64(len(m.genes) * len(m.samples))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		bt, err := w.Begin(ctx, m.begin())
		if err != nil {
			b.Fatal(err)
		}
		for _, lb := range lbs {
			if err := bt.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
				b.Fatal(err)
			}
		}
		if err := bt.(*batch).flush(ctx); err != nil {
			b.Fatal(err)
		}
		if err := bt.Abort(ctx); err != nil {
			b.Fatal(err)
		}
		s.mu.Lock()
		s.copies, s.calls = nil, nil
		s.mu.Unlock()
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

// What the load holds no metadata record of (warehouse.Study.KeepRecorded,
// warehouse.Sample.KeepAttributes and KeepIllness) travels as flags on the
// staged rows themselves, and the merges take the load key alone: a list
// of such members passed as one parameter was matched against every staged
// row, which a matrix loaded without metadata (tens of thousands of kept
// samples) made quadratic.
func TestKeepFlagsTravelWithTheStagedRows(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(2, 4, "GSE1", "GSE2")
	ctx := context.Background()
	b, err := w.Begin(ctx, m.begin())
	if err != nil {
		t.Fatal(err)
	}
	d := m.dims()
	d.Studies[0].KeepRecorded = true
	d.Samples[0].KeepAttributes, d.Samples[0].KeepIllness = true, true
	d.Samples[1].KeepIllness = true
	d.Samples[3].KeepAttributes = true
	if err := b.UpsertDimensions(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, lb := range m.batches(2) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, m.commit("h1")); err != nil {
		t.Fatal(err)
	}
	flags := func(table, key string, cols ...string) map[string][]any {
		t.Helper()
		out := map[string][]any{}
		for _, c := range s.copiesOf(table) {
			for _, r := range c.rows {
				var fs []any
				for _, col := range cols {
					i := slices.Index(c.cols, col)
					if i < 0 {
						t.Fatalf("the copy into %s has no column %s: %q", table, col, c.cols)
					}
					fs = append(fs, r[i])
				}
				out[r[slices.Index(c.cols, key)].(string)] = fs
			}
		}
		return out
	}
	if got, want := flags("staging.dim_study", "study_accession_code", "keep_recorded"), map[string][]any{"GSE1": {true}, "GSE2": {false}}; !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("staging.dim_study keep_recorded %v, want %v", got, want)
	}
	wantSamples := map[string][]any{
		"GSE1_S1": {true, true}, "GSE1_S2": {false, true}, "GSE2_S3": {false, false}, "GSE2_S4": {true, false},
	}
	if got := flags("staging.dim_sample", "sample_accession_code", "keep_attributes", "keep_illness"); !maps.EqualFunc(got, wantSamples, slices.Equal) {
		t.Errorf("staging.dim_sample keep_attributes, keep_illness %v, want %v", got, wantSamples)
	}
	for _, name := range []string{"merge_studies", "merge_samples", "merge_study_samples"} {
		calls := s.callsOf(name)
		if len(calls) != 1 || !slices.Equal(calls[0].args, []any{int64(42)}) {
			t.Errorf("%s ran as %v, want once with the load key alone", name, calls)
		}
	}
}

// A load whose deadline ended a statement: go-mssqldb drops the connection
// (a deadline is a net.Error to it), so Abort's delete on it fails too. The
// rows are deleted from another session, and Abort succeeds.
func TestAbortClearsFromAnotherSessionWhenItsOwnFails(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(4))
	m := newMatrix(4, 2)
	b := stage(t, w, m, 2)
	s.failNext("clear_load", driver.ErrBadConn)
	if err := b.Abort(context.Background()); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	clears := s.callsOf("clear_load")
	if len(clears) != 2 || clears[0].conn == clears[1].conn || clears[1].args[0] != clears[0].args[0] {
		t.Fatalf("clear_load calls %+v, want the load's and then another connection's, of the same load", clears)
	}
}

// A COMMIT whose reply is lost (the caller's deadline fell as the server
// committed, or the connection dropped) landed all the same when, once the
// load's lock is granted to another session (its own session has ended),
// the LOADED rows of meta_batch_qc carry this run's id: Commit reports the
// load published, not failed, and the connection, in doubt, is not pooled
// again.
func TestCommitWhoseReplyIsLostButLanded(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2)
	s.lostCommit = driver.ErrBadConn
	res, err := b.Commit(context.Background(), m.commit("h1"))
	if err != nil {
		t.Fatalf("Commit of a load that landed: %v", err)
	}
	if len(res.Studies) != 1 || res.Studies[0].Outcome != warehouse.Inserted || res.Studies[0].RowsWritten == 0 {
		t.Fatalf("result %+v, want the study inserted", res)
	}
	load := s.callsOf("register_load")[0].conn
	locks, asked, unlocks := s.callsOf("load_lock_wait"), s.callsOf("loaded_by"), s.callsOf("load_unlock")
	if len(locks) != 2 || locks[0].conn == load || len(asked) != 1 || asked[0].conn != locks[0].conn {
		t.Fatalf("lock %+v, asked %+v: want the load's lock taken, then its rows asked for, on another connection than the load's", locks, asked)
	}
	// Then its staging rows are cleared, as an abort's are: from a session
	// holding the load's lock, not from the connection in doubt.
	clears := s.callsOf("clear_load")
	if len(clears) != 1 || clears[0].conn != locks[1].conn || clears[0].conn == load {
		t.Fatalf("clear_load %+v after locks %+v: want the staging rows cleared under the load's lock, on another connection than the load's", clears, locks)
	}
	if len(unlocks) != 2 || unlocks[0].conn != locks[0].conn || unlocks[1].conn != locks[1].conn || s.count("ROLLBACK") != 0 {
		t.Fatalf("unlocks %+v, %d rollbacks: want each lock given back by the session that took it, and no rollback", unlocks, s.count("ROLLBACK"))
	}
	opened := s.opened
	if _, err := w.Begin(context.Background(), m.begin()); err != nil {
		t.Fatal(err)
	}
	if s.opened != opened+1 {
		t.Fatalf("the connection in doubt went back to the pool (opened %d → %d)", opened, s.opened)
	}
}

// A COMMIT whose reply is lost and that did not land fails the load, which
// is aborted; so does one whose batch has no run id to ask by, and one whose
// load's lock is not freed.
func TestCommitWhoseReplyIsLostAndDidNotLand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(s *fakeServer, req *warehouse.BeginRequest)
	}{
		{"rolled back", func(s *fakeServer, _ *warehouse.BeginRequest) {
			s.before["loaded_by"] = func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				clear(s.loaded)
			}
		}},
		{"no run id", func(_ *fakeServer, req *warehouse.BeginRequest) { req.RunID = "" }},
		{"lock not freed", func(s *fakeServer, _ *warehouse.BeginRequest) {
			s.before["load_lock_wait"] = func() { s.lockResult = -1 }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			w := s.open(t, testConfig(5))
			m := newMatrix(4, 3)
			req := m.begin()
			tc.setup(s, &req)
			b, err := w.Begin(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.UpsertDimensions(context.Background(), m.dims()); err != nil {
				t.Fatal(err)
			}
			for _, rows := range m.batches(2) {
				if err := b.WriteRows(context.Background(), warehouse.RowsRequest{Rows: rows}); err != nil {
					t.Fatal(err)
				}
			}
			s.lostCommit = driver.ErrBadConn
			if _, err := b.Commit(context.Background(), m.commit("h1")); err == nil {
				t.Fatal("Commit of a load that did not land, or could not be known to, succeeded")
			}
		})
	}
}

// The caller's context ending during the commit transaction rolls it back
// before COMMIT is sent: COMMIT never runs under a context that may end
// while the server commits.
func TestCommitCheckedForCancelBeforeCommitting(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.before["insert_findings"] = cancel // the transaction's last statement
	_, err := b.Commit(ctx, m.commit("h1"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit canceled before COMMIT: %v, want context.Canceled", err)
	}
	if n := s.count("COMMIT"); n != 0 {
		t.Fatalf("COMMIT ran %d times after the context ended", n)
	}
	if n := s.count("ROLLBACK"); n != 1 {
		t.Fatalf("ROLLBACK ran %d times, want 1", n)
	}
}

// A subnormal value, which SQL Server's float cannot hold, is refused with
// a coded error at its line and column before anything of its batch is
// sent; zero and the smallest normal value go through.
func TestSubnormalValueRefused(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	m := newMatrix(3, 2)
	m.values[0][0], m.values[0][1] = 0, minNormalFloat
	m.values[2][1] = 5e-324
	b, err := w.Begin(context.Background(), m.begin())
	if err != nil {
		t.Fatal(err)
	}
	err = b.WriteRows(context.Background(), warehouse.RowsRequest{Rows: m.batches(3)[0]})
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.ConstraintViolation || e.Line != 4 || e.Column != 3 || !strings.Contains(e.Msg, "5e-324 of gene \"ENSG00003\" is subnormal") {
		t.Fatalf("WriteRows with a subnormal value: %v, want ConstraintViolation at line 4, column 3", err)
	}
	if n := len(s.rowsOf("staging.expression_values")); n != 0 {
		t.Fatalf("%d cells staged", n)
	}
}

// An infinite value (which the matrix reader refuses, but a caller's own
// rows may hold) is refused before anything is staged: SQL Server's float
// has no infinity.
func TestInfiniteValueRefused(t *testing.T) {
	for _, inf := range []float64{math.Inf(1), math.Inf(-1)} {
		s := newFakeServer(t)
		w := s.open(t, testConfig(100))
		m := newMatrix(3, 2)
		m.values[1][0] = inf
		b, err := w.Begin(context.Background(), m.begin())
		if err != nil {
			t.Fatal(err)
		}
		err = b.WriteRows(context.Background(), warehouse.RowsRequest{Rows: m.batches(3)[0]})
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.ConstraintViolation || e.Line != 3 || e.Column != 2 || !strings.Contains(e.Msg, "of gene \"ENSG00002\" is infinite") {
			t.Fatalf("WriteRows with %g: %v, want ConstraintViolation at line 3, column 2", inf, err)
		}
		if n := len(s.rowsOf("staging.expression_values")); n != 0 {
			t.Fatalf("%d cells staged", n)
		}
		if err := b.Abort(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCleanupSessionThatCannotUnlockIsNotPooled: when the session that
// cleared a dead load's rows fails to give the load's lock back, it is
// closed, not pooled holding the lock (which would make the load read as
// alive to every later check for as long as the pool kept the session).
func TestCleanupSessionThatCannotUnlockIsNotPooled(t *testing.T) {
	s, w, m, b := loadLosingItsConnection(t)
	ctx := context.Background()
	s.failNext("load_unlock", errors.New("mssql: sp_releaseapplock failed"))
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	clears := s.callsOf("clear_load")
	if len(clears) != 1 {
		t.Fatalf("clear_load ran %d times, want once", len(clears))
	}
	cleaner := clears[0].conn
	if _, err := w.Begin(ctx, m.begin()); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.callsOf("register_load")[1:] {
		if c.conn == cleaner {
			t.Fatalf("the next load ran on connection %d, the session that could not give the lock back", cleaner)
		}
	}
}

// A label that is none of dim_illness's is refused before anything of the
// dimensions is sent: the merge's join, under a case-insensitive
// collation, would take "sepsis" for SEPSIS, and a label it finds nowhere
// would be stored as none.
func TestUnknownIllnessRefused(t *testing.T) {
	for _, label := range []string{"sepsis", "INFECTED", "SEPSIS "} {
		s := newFakeServer(t)
		w := s.open(t, testConfig(5))
		m := newMatrix(4, 3)
		b, err := w.Begin(context.Background(), m.begin())
		if err != nil {
			t.Fatal(err)
		}
		dims := m.dims()
		dims.Samples[1].Illness = label
		err = b.UpsertDimensions(context.Background(), dims)
		if !errors.Is(err, qc.ConstraintViolation) || !strings.Contains(err.Error(), label) {
			t.Errorf("label %q: %v, want %s naming it", label, err, qc.ConstraintViolation.Name())
		}
		if slices.Contains(s.names(), "copy:staging.dim_study") {
			t.Errorf("label %q: dimensions were sent: %q", label, s.names())
		}
		b.Abort(context.Background())
	}
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2) // the five labels pass
	b.Abort(context.Background())
}

// A committed load whose staging rows cannot be deleted is committed
// all the same (its rows are a dead load's once its lock is gone, which
// the next load removes), and says so in the log: an error that Commit
// cannot return is not dropped.
func TestStagingClearFailureAfterCommitIsLogged(t *testing.T) {
	s := newFakeServer(t)
	var logged strings.Builder
	cfg := testConfig(5)
	cfg.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	w := s.open(t, cfg)
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2)
	// The delete fails on the load's connection, and again from the
	// session that takes the load's lock after it.
	s.failNext("clear_load", errors.New("lock request time out period exceeded"), errors.New("lock request time out period exceeded"))
	res, err := b.Commit(context.Background(), m.commit("h1"))
	if err != nil || len(res.Studies) != 1 || res.Studies[0].Outcome != warehouse.Inserted {
		t.Fatalf("Commit: %+v, %v; want the study inserted", res, err)
	}
	if !strings.Contains(logged.String(), "staging rows stay until the next load removes them") || !strings.Contains(logged.String(), "lock request time out") {
		t.Errorf("log %q: want a warning that the staging rows stay, with the error", logged.String())
	}
}
