package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"slices"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// batch is one load on a dedicated connection. While rows stream, its cells
// go to the connection's temporary table in autocommit and everything else
// waits in memory; Commit opens the load's one transaction and writes the
// dimensions, facts, batch records and QC in it. Like a database/sql.Tx a
// batch is used by one goroutine at a time.
type batch struct {
	w       *Warehouse
	conn    *sql.Conn
	loadKey int64  // allocated in the load's transaction
	file    string // the matrix as named in messages
	source  string // the matrix as meta_batch.file_name records it (BeginRequest.SourcePath)
	runID   string
	release func() // gives the Warehouse's load slot back
	turn    func() // gives the file's turn of commits and computations back (takeTurn), while Commit holds it
	inTx    bool
	staging bool // the connection holds the temporary table of cells

	stage *stager // stages rows while the caller reads on

	// illness holds the labels dim_illness knows, read by Begin.
	illness map[string]bool
	// dims are the UpsertDimensions requests, applied in order by Commit.
	dims []warehouse.DimensionsRequest
	// geneIDs and geneLines are the genes of the rows written, in order.
	geneIDs   []string
	geneLines []int64
	// lines checks that the rows' gene lines strictly increase.
	lines warehouse.RowsChecker

	// studiesOf maps a matrix column to the indexes in studies of the
	// studies that hold it (a SPECIES matrix's column of a sample several
	// experiments list is held by each); empty for a column the batch
	// does not load.
	studiesOf [][]int32
	studies   []string
	// cols are the matrix columns the load declared, for the studies'
	// load signatures.
	cols []warehouse.Column
	// staged counts the rows staged per study, to check the fact insert
	// against.
	staged []int64

	done bool
}

// Begin implements warehouse.WarehouseSink. Loads into one Warehouse, or
// into any Warehouse Open made of the same file in this process, are
// serialized: Begin waits up to Config.BusyTimeout for the running one to
// end, then fails with code WarehouseBusy.
func (w *Warehouse) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	b, err := w.begin(ctx, req)
	if err != nil {
		return nil, w.placeResources(err)
	}
	return b, nil
}

func (w *Warehouse) begin(ctx context.Context, req warehouse.BeginRequest) (*batch, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	release, err := w.acquire(ctx)
	if err != nil {
		return nil, err
	}
	b := &batch{w: w, file: req.FileName, source: cmp.Or(req.SourcePath, req.FileName), runID: req.RunID, release: release, cols: req.Columns}
	if err := b.index(req.Columns); err != nil {
		release()
		return nil, err
	}
	// The schema check reads through w.db: before the batch holds its
	// connection, so a caller's pool of one connection does not wait on
	// itself.
	if err := w.requireSchema(ctx); err != nil {
		release()
		return nil, err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		release()
		return nil, classify(err, "duckdb: taking a connection")
	}
	b.conn = conn
	if err := b.begin(ctx); err != nil {
		return nil, errors.Join(err, b.Abort(ctx))
	}
	return b, nil
}

// acquire takes the Warehouse's single load slot.
func (w *Warehouse) acquire(ctx context.Context) (func(), error) {
	select {
	case w.file.loads <- struct{}{}:
	default:
		wait := w.cfg.BusyTimeout
		if wait <= 0 {
			return nil, errBusy(nil)
		}
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case w.file.loads <- struct{}{}:
		case <-timer.C:
			return nil, errBusy(nil)
		case <-ctx.Done():
			return nil, classify(ctx.Err(), "duckdb: waiting for another load to end")
		}
	}
	released := false
	return func() {
		if !released {
			released = true
			<-w.file.loads
		}
	}, nil
}

func errBusy(cause error) error {
	return &qc.Error{Code: qc.WarehouseBusy, Severity: qc.SeverityError, Err: cause,
		Msg: "warehouse busy: another load into this warehouse is running (loads are serialized); retry when it ends, or wait for it with busy_timeout"}
}

// maxColumns bounds a matrix column index: columns are looked up by
// position, in lists as long as the largest index.
const maxColumns = 1 << cellColumnBits

// A staged cell holds any column index the contract lets a batch take.
var _ [maxColumns - warehouse.MaxColumns]struct{}

// index checks the columns (warehouse.CheckColumns) and maps each to its
// studies.
func (b *batch) index(cols []warehouse.Column) error {
	if err := warehouse.CheckColumns(cols, maxColumns); err != nil {
		return err
	}
	studyIdx := map[string]int32{}
	for _, c := range cols {
		if c.Index >= len(b.studiesOf) {
			b.studiesOf = append(b.studiesOf, make([][]int32, c.Index+1-len(b.studiesOf))...)
		}
		i, ok := studyIdx[c.Study]
		if !ok {
			i = int32(len(b.studies))
			studyIdx[c.Study] = i
			b.studies = append(b.studies, c.Study)
		}
		b.studiesOf[c.Index] = append(b.studiesOf[c.Index], i)
	}
	b.staged = make([]int64, len(b.studies))
	return nil
}

func (b *batch) begin(ctx context.Context) error {
	var readOnly bool
	if err := b.conn.QueryRowContext(ctx, stmtReadOnly).Scan(&readOnly); err != nil {
		return classify(err, "duckdb: checking the access mode")
	}
	if readOnly {
		return qc.Errorf(qc.ConnectionFailed, "duckdb: the warehouse is open read-only; open it without access_mode=READ_ONLY to load %s", b.file)
	}
	if err := b.w.registerStage(ctx, b.conn); err != nil {
		return err
	}
	rows, err := b.conn.QueryContext(ctx, stmtIllnessLabels)
	if err != nil {
		return classify(err, "duckdb: reading illness labels")
	}
	defer rows.Close()
	b.illness = map[string]bool{}
	for rows.Next() {
		var label string
		if err := rows.Scan(&label); err != nil {
			return classify(err, "duckdb: reading illness labels")
		}
		b.illness[label] = true
	}
	if err := rows.Err(); err != nil {
		return classify(err, "duckdb: reading illness labels")
	}
	b.staging = true
	if _, err := b.conn.ExecContext(ctx, stmtCreateStageValues); err != nil {
		return classify(err, "duckdb: creating the staging table")
	}
	return nil
}

// stageLoad opens the load's transaction, allocates its load key and
// stages what the load's statements join with the cells: the matrix
// columns and genes.
func (b *batch) stageLoad(ctx context.Context) error {
	if _, err := b.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return classify(err, "duckdb: beginning the load")
	}
	b.inTx = true
	if err := b.conn.QueryRowContext(ctx, stmtNextLoadKey).Scan(&b.loadKey); err != nil {
		return classify(err, "duckdb: allocating a load key")
	}
	return b.conn.Raw(func(dc any) error {
		cols, err := duckdbdrv.NewAppender(dc.(driver.Conn), "", "staging", "matrix_columns")
		if err != nil {
			return classify(err, "duckdb: opening the staging appender")
		}
		for _, c := range b.cols {
			if err := cols.AppendRow(b.loadKey, int32(c.Index), c.Sample, c.Study); err != nil {
				return classify(errors.Join(err, cols.Close()), "duckdb: staging matrix columns")
			}
		}
		if err := cols.Close(); err != nil {
			return classify(err, "duckdb: staging matrix columns")
		}
		genes, err := duckdbdrv.NewAppender(dc.(driver.Conn), "", "staging", "matrix_rows")
		if err != nil {
			return classify(err, "duckdb: opening the staging appender")
		}
		for i, g := range b.geneIDs {
			if err := genes.AppendRow(b.loadKey, b.geneLines[i], g); err != nil {
				return classify(errors.Join(err, genes.Close()), "duckdb: staging genes")
			}
		}
		return classify(genes.Close(), "duckdb: staging genes")
	})
}

// Commit implements warehouse.Batch.
func (b *batch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if b.done {
		return warehouse.CommitResult{}, batchEnded()
	}
	res, err := b.commit(ctx, req)
	if err != nil {
		err = errors.Join(err, b.Abort(ctx))
		b.giveTurn()
		return warehouse.CommitResult{}, b.w.placeResources(err)
	}
	b.giveTurn()
	b.finish(ctx)
	return res, nil
}

// giveTurn gives up the file's turn the commit took, if it took one.
func (b *batch) giveTurn() {
	if b.turn != nil {
		b.turn()
		b.turn = nil
	}
}

func (b *batch) commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	var res warehouse.CommitResult
	if err := b.checkCommit(req); err != nil {
		return res, err
	}
	if err := b.drain(); err != nil {
		return res, err
	}
	// The transaction runs in the file's turn of feature computations and
	// commits (fileState.features), which Commit gives up once the
	// transaction has ended, committed or rolled back: begun while a
	// computation of one of its studies runs, it would conflict with that
	// computation's writes.
	release, err := b.w.file.takeTurn(ctx)
	if err != nil {
		return res, classify(err, "duckdb: waiting for a feature computation to end before the commit")
	}
	b.turn = release
	if err := b.stageLoad(ctx); err != nil {
		return res, err
	}
	for _, d := range b.dims {
		if err := b.upsertDimensions(ctx, d); err != nil {
			return res, err
		}
	}
	signatures := make(map[string]string, len(req.Studies))
	for _, s := range req.Studies {
		sig := warehouse.LoadSignature(s.Study, b.cols, b.staged[slices.Index(b.studies, s.Study)])
		signatures[s.Study] = sig
		if _, err := b.conn.ExecContext(ctx, stmtStageBatch, b.loadKey, s.Study, s.BatchID, null(b.source), req.FileHash, sig, null(req.ScaleBy)); err != nil {
			return res, classify(err, "duckdb: staging batch ids")
		}
	}
	current, err := b.currentBatches(ctx)
	if err != nil {
		return res, err
	}
	var publish, batches []string
	var want int64
	for _, s := range req.Studies {
		cur := current[s.Study]
		r := warehouse.StudyResult{Study: s.Study, BatchID: s.BatchID, PreviousBatchID: cur.batchID}
		switch {
		case cur.batchID == "":
			r.Outcome = warehouse.Inserted
		case cur.batchID == s.BatchID && cur.signature == signatures[s.Study]:
			r.Outcome = warehouse.Duplicate
		default:
			// Other content, or the same content holding other rows (a
			// sample the metadata did not describe before, another
			// missing-value policy): replaced, whatever the batch id.
			r.Outcome = warehouse.Replaced
		}
		if r.Outcome != warehouse.Duplicate {
			r.RowsWritten = b.staged[slices.Index(b.studies, s.Study)]
			publish = append(publish, s.Study)
			batches = append(batches, s.BatchID)
			want += r.RowsWritten
		}
		res.Studies = append(res.Studies, r)
	}
	if len(publish) > 0 {
		if err := b.publish(ctx, publish, batches, want); err != nil {
			return res, err
		}
		if err := b.recordBatches(ctx, res.Studies); err != nil {
			return res, err
		}
	}
	for _, s := range req.Studies {
		if err := b.recordQuality(ctx, s); err != nil {
			return res, err
		}
	}
	for _, q := range stmtClearStaging {
		if _, err := b.conn.ExecContext(ctx, q, b.loadKey); err != nil {
			return res, classify(err, "duckdb: clearing staging")
		}
	}
	if err := ctx.Err(); err != nil {
		return res, classify(err, "duckdb: committing the load")
	}
	// COMMIT itself is not interrupted: DuckDB can finish a commit and then
	// report the interrupt, and the caller would be told the load failed
	// when it had landed.
	if _, err := b.conn.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		return res, classify(err, "duckdb: committing the load")
	}
	b.inTx = false
	return res, nil
}

// recordBatches records the batches of the studies not duplicates as
// current in meta_batch.
func (b *batch) recordBatches(ctx context.Context, studies []warehouse.StudyResult) error {
	var ids []string
	var rows []int64
	for _, r := range studies {
		if r.Outcome != warehouse.Duplicate {
			ids, rows = append(ids, r.BatchID), append(rows, r.RowsWritten)
		}
	}
	n, err := upsert(ctx, b.conn, stmtRecordBatch, stmtInsertBatch, b.loadKey, null(b.runID), ids, rows)
	if err != nil {
		return classify(err, "duckdb: recording batches")
	}
	if n == int64(len(ids)) {
		return nil
	}
	var study string
	if err := b.conn.QueryRowContext(ctx, stmtUndescribedStudy, b.loadKey, ids).Scan(&study); err != nil {
		return classify(err, "duckdb: recording batches")
	}
	return qc.Errorf(qc.DimensionLookupFailed, "duckdb: study %s is not in dim_study; UpsertDimensions must describe it before Commit", study)
}

// checkCommit refuses a commit no batch can make (warehouse.CheckCommit).
func (b *batch) checkCommit(req warehouse.CommitRequest) error {
	return warehouse.CheckCommit(req, b.file, func(study string) bool { return slices.Contains(b.studies, study) })
}

// currentBatch is a study's current batch and the signature it was loaded
// with ("" for a batch loaded before signatures were recorded).
type currentBatch struct{ batchID, signature string }

func (b *batch) currentBatches(ctx context.Context) (map[string]currentBatch, error) {
	rows, err := b.conn.QueryContext(ctx, stmtCurrentBatches, b.loadKey)
	if err != nil {
		return nil, classify(err, "duckdb: reading current batches")
	}
	defer rows.Close()
	out := map[string]currentBatch{}
	for rows.Next() {
		var study string
		var cur currentBatch
		if err := rows.Scan(&study, &cur.batchID, &cur.signature); err != nil {
			return nil, classify(err, "duckdb: reading current batches")
		}
		out[study] = cur
	}
	return out, classify(rows.Err(), "duckdb: reading current batches")
}

// publish replaces the facts of the listed studies with their batches.
// want is the number of rows staged for them; the fact insert must write
// exactly that many, or a staged row failed to find its dimensions.
func (b *batch) publish(ctx context.Context, studies, batches []string, want int64) error {
	var sample, study string
	switch err := b.conn.QueryRowContext(ctx, stmtUnlistedMembers, b.loadKey, batches).Scan(&sample, &study); {
	case err == nil:
		return qc.Errorf(qc.DimensionLookupFailed, "duckdb: %s: matrix column sample %s is not a sample of study %s in the dimensions; UpsertDimensions must list every sample with its study", b.file, sample, study)
	case !errors.Is(err, sql.ErrNoRows):
		return classify(err, "duckdb: checking the samples' studies")
	}
	type step struct {
		stmt string
		args []any
		what string
	}
	run := func(steps ...step) error {
		for _, s := range steps {
			if _, err := b.conn.ExecContext(ctx, s.stmt, s.args...); err != nil {
				return classify(err, "duckdb: "+s.what)
			}
		}
		return nil
	}
	err := run(
		step{stmtInsertGenes, []any{b.loadKey}, "adding genes"},
		step{stmtRecordBatchKeys, []any{b.loadKey, batches}, "keying the batches"},
		step{stmtDeleteFacts, []any{b.loadKey, batches}, "removing replaced facts"},
		step{stmtDropUnstagedStudySamples, []any{b.loadKey, batches}, "removing the samples replaced batches dropped from their studies"},
	)
	if err != nil {
		return err
	}
	// One fact insert per study a column is given to (see stmtInsertFacts).
	inserts := []step{{stmtInsertStudyFacts, []any{b.loadKey, studies[0], batches[0]}, "inserting facts"}}
	if len(studies) > 1 {
		inserts = inserts[:0]
		for pass := range b.sharing(studies) {
			inserts = append(inserts, step{stmtInsertFacts, []any{b.loadKey, batches, pass + 1}, "inserting facts"})
		}
	}
	var written int64
	for _, s := range inserts {
		r, err := b.conn.ExecContext(ctx, s.stmt, s.args...)
		if err != nil {
			return classify(err, "duckdb: inserting facts")
		}
		n, err := r.RowsAffected()
		if err != nil {
			return classify(err, "duckdb: inserting facts")
		}
		written += n
	}
	if written != want {
		return qc.Errorf(qc.DimensionLookupFailed, "duckdb: %s: %d rows were staged but %d facts were written; a sample or gene did not resolve to its dimension", b.file, want, written)
	}
	return run(
		step{stmtRetireBatches, []any{b.loadKey, batches}, "retiring replaced batches"},
		step{stmtDropReplacedFeatures, []any{b.loadKey, batches}, "removing the features of replaced facts"},
		step{stmtStaleFeatureState, []any{b.loadKey, batches}, "marking the features of replaced facts stale"},
	)
}

// sharing returns the largest number of the listed studies that hold one
// matrix column: the passes stmtInsertFacts takes.
func (b *batch) sharing(studies []string) int {
	listed := make([]bool, len(b.studies))
	for _, s := range studies {
		listed[slices.Index(b.studies, s)] = true
	}
	most := 0
	for _, of := range b.studiesOf {
		n := 0
		for _, i := range of {
			if listed[i] {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

func (b *batch) recordQuality(ctx context.Context, s warehouse.StudyCommit) error {
	q := s.QC
	_, err := upsert(ctx, b.conn, stmtUpsertStudyQC, stmtInsertStudyQC, s.Study, s.BatchID, q.KSStatistic, q.KSPValue, null(q.KSWarning),
		q.QuantileNormalized, q.QuantSFOnly, q.KSStatisticRecomputed, q.KSPValueRecomputed, null(q.KSWorstSample),
		q.Genes, q.Samples, q.Cells, q.MissingCells, q.DuplicateGenes)
	if err != nil {
		return classify(err, "duckdb: recording study QC for "+s.Study)
	}
	if err := upsertBatchQC(ctx, b.conn, b.runID, s.Study, s.BatchID, warehouse.QCLoaded, q); err != nil {
		return err
	}
	return insertFindings(ctx, b.conn, b.runID, s.BatchID, s.Study, s.Findings)
}

// upsert runs update, then insert, with the same arguments: the statement
// pairs of statements.go that stand for an INSERT … ON CONFLICT. It returns
// the rows both wrote.
func upsert(ctx context.Context, conn *sql.Conn, update, insert string, args ...any) (int64, error) {
	var total int64
	for _, q := range []string{update, insert} {
		r, err := conn.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// Abort implements warehouse.Batch.
func (b *batch) Abort(ctx context.Context) error {
	if b.done {
		return nil
	}
	b.finish(ctx)
	return nil
}

// finish ends the batch: it stops staging, rolls back a transaction still
// open, drops the staged cells and releases the connection and the load
// slot. A batch is finished once, by Commit or by Abort.
func (b *batch) finish(ctx context.Context) {
	b.done = true
	// A staging error is why the batch is aborted, not a failure to end it.
	_ = b.stopStager()
	if b.conn != nil {
		ctx := context.WithoutCancel(ctx)
		// A failed statement or COMMIT may already have ended the
		// transaction, and ROLLBACK then fails harmlessly; but a
		// connection that may still hold a transaction or the staged
		// cells is dropped from the pool rather than reused.
		ok := true
		if b.inTx {
			_, err := b.conn.ExecContext(ctx, "ROLLBACK")
			ok = err == nil
			b.inTx = false
		}
		if ok && b.staging {
			_, err := b.conn.ExecContext(ctx, stmtDropStageValues)
			ok = err == nil
		}
		if !ok {
			_ = b.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = b.conn.Close()
	}
	b.release()
}

var errDone = errors.New("duckdb: the batch has already been committed or aborted")

// batchEnded is the error of a Batch method called after Commit or Abort:
// ConstraintViolation (the warehouse refuses the call), wrapping errDone.
func batchEnded() error {
	return &qc.Error{Code: qc.ConstraintViolation, Severity: qc.SeverityError, Err: errDone}
}

// null turns "" into SQL NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
