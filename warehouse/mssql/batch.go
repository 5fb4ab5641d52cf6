package mssql

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// cleanupTimeout bounds the statements Abort and Commit run after the
// caller's context is gone.
const cleanupTimeout = 2 * time.Minute

// batch is one load. It holds one connection for its whole life: the
// connection's session owns the load's lock, which is what tells other
// loaders that its staging rows are in use. Cells go to staging in bulk
// copies outside any transaction; Commit publishes them in one transaction.
type batch struct {
	w       *Warehouse
	conn    *sql.Conn
	loadKey int64
	runID   string
	file    string // the matrix as named in messages
	source  string // the matrix as meta_batch.file_name records it (BeginRequest.SourcePath, cut to the column's 1,000 characters)
	// locked is set once the session holds the load's lock, registered
	// once the load is listed in staging.loads (so that Abort knows there
	// is staging to clear).
	locked, registered bool
	// broken is set when the connection can no longer be trusted (it
	// dropped, or a bulk copy failed half-way); Abort then discards it, and
	// the session's end releases the load's lock.
	broken bool
	done   bool
	cells  *cellBuffer
	// What the load sent to staging, checked against staging at Commit.
	sentColumns, sentGenes, sentValues int64
	// studies lists the studies the declared columns belong to.
	studies map[string]bool
	// cols are the declared columns and studiesOf[c] the studies that hold
	// column c (a SPECIES matrix's column of a sample several experiments
	// list is held by each); sent counts the rows sent per column, for the
	// load signatures (see staged).
	cols      []warehouse.Column
	studiesOf [][]string
	sent      []int64
	// lines checks that the rows' gene lines strictly increase.
	lines warehouse.RowsChecker
	// ordinal numbers the dimension members in the order given, so that
	// the last one given for a key wins.
	ordinal int32
}

// Begin implements warehouse.WarehouseSink. It takes a connection, starts
// the load under a new load key, removes the staging rows of loads that
// died, and stages the matrix columns.
func (w *Warehouse) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	// The columns are checked before anything reaches the server, as
	// every backend checks them (warehouse.CheckColumns).
	if err := warehouse.CheckColumns(req.Columns, warehouse.MaxColumns); err != nil {
		return nil, err
	}
	b := &batch{w: w, runID: req.RunID, file: req.FileName, source: clip(cmp.Or(req.SourcePath, req.FileName), logFileWidth), cells: newCellBuffer(w.cfg.ChunkRows)}
	if err := b.begin(ctx, req); err != nil {
		return nil, errors.Join(err, b.Abort(ctx))
	}
	return b, nil
}

func (b *batch) begin(ctx context.Context, req warehouse.BeginRequest) error {
	w := b.w
	err := w.retry(ctx, opConnect, func(ctx context.Context) error {
		conn, err := w.db.Conn(ctx)
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, stmtSessionOptions); err != nil {
			return errors.Join(err, discard(conn))
		}
		b.conn = conn
		return nil
	})
	if err != nil {
		return w.wrap(err, "mssql: taking a connection")
	}
	if err := b.run(ctx, "allocating a load key", func(ctx context.Context) error {
		return b.conn.QueryRowContext(ctx, stmtNextLoadKey).Scan(&b.loadKey)
	}); err != nil {
		return err
	}
	var granted int
	if err := b.run(ctx, "locking the load", func(ctx context.Context) error {
		return b.conn.QueryRowContext(ctx, stmtLoadLock, loadLockResource(b.loadKey)).Scan(&granted)
	}); err != nil {
		return err
	}
	if granted < 0 {
		// The key is new, so nothing else can hold its lock.
		return qc.Errorf(qc.ConstraintViolation, "mssql: could not lock new load %d (sp_getapplock returned %d)", b.loadKey, granted)
	}
	b.locked = true
	if err := b.run(ctx, "registering the load", func(ctx context.Context) error {
		_, err := b.conn.ExecContext(ctx, stmtRegisterLoad, b.loadKey, null(b.runID), null(clip(b.file, logFileWidth)))
		return err
	}); err != nil {
		return err
	}
	b.registered = true
	// Cleaning runs on the pool: it need not share the load's session (its
	// own key is excluded), and may be retried on a fresh connection.
	if _, err := w.cleanStale(ctx, b.loadKey); err != nil {
		return err
	}
	rows := make([][]any, 0, len(req.Columns))
	b.studies = map[string]bool{}
	b.cols = req.Columns
	for _, c := range req.Columns {
		// Begin checked the indexes (warehouse.CheckColumns).
		if c.Index >= len(b.studiesOf) {
			b.studiesOf = append(b.studiesOf, make([][]string, c.Index+1-len(b.studiesOf))...)
		}
		b.studiesOf[c.Index] = append(b.studiesOf[c.Index], c.Study)
		b.studies[c.Study] = true
		r, err := columnRow(b.loadKey, c)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	n, err := b.copy(ctx, b.conn, copyColumns, len(rows), func(i int, _ []any) []any { return rows[i] })
	b.sentColumns = n
	return err
}

// run runs one statement of the load on its connection, retrying what the
// server rolled back. A lost connection ends the load.
func (b *batch) run(ctx context.Context, what string, fn func(context.Context) error) error {
	err := b.w.retry(ctx, opAtomic, fn)
	if err != nil {
		b.markBroken(err)
		return b.w.wrap(err, "mssql: "+what)
	}
	return nil
}

// copy bulk-copies n rows on p, retrying a copy the server rolled back when
// the connection survived it.
func (b *batch) copy(ctx context.Context, p preparer, spec copySpec, n int, fill func(int, []any) []any) (int64, error) {
	var written int64
	err := b.w.retry(ctx, opAtomic, func(ctx context.Context) error {
		if b.broken {
			return errBroken
		}
		var ok bool
		var err error
		written, ok, err = copyIn(ctx, p, spec, n, fill)
		if err != nil && !ok {
			b.broken = true
		}
		return err
	})
	if err != nil {
		b.markBroken(err)
		return 0, b.w.wrap(err, "mssql: bulk copy into "+spec.table)
	}
	if written != int64(n) {
		return 0, qc.Errorf(qc.ConstraintViolation, "mssql: bulk copy into %s wrote %d rows of %d", spec.table, written, n)
	}
	return written, nil
}

var errBroken = errors.New("mssql: the load's connection failed earlier")

// minNormalFloat is the smallest positive normal float64, 2.2250738585072014e-308:
// SQL Server's float holds no magnitude between 0 and it (a subnormal
// value), though a matrix cell can be one.
const minNormalFloat = 0x1p-1022

func (b *batch) markBroken(err error) {
	if c := classify(err); c == classConnLost {
		b.broken = true
	}
}

// UpsertDimensions implements warehouse.Batch. The members are staged;
// Commit merges them into the dimensions, so an aborted load changes no
// dimension.
func (b *batch) UpsertDimensions(ctx context.Context, req warehouse.DimensionsRequest) error {
	if b.done {
		return batchEnded()
	}
	// Labels are compared as written: the merge's join would take "sepsis"
	// for SEPSIS under a case-insensitive collation, and store a label it
	// does not find as none, which the views show as UNKNOWN.
	if err := warehouse.CheckSamples(req.Samples, func(l string) bool { return slices.Contains(illness.Labels(), illness.Label(l)) }); err != nil {
		return err
	}
	start := b.ordinal
	if _, err := b.copy(ctx, b.conn, copyStudies, len(req.Studies), func(i int, _ []any) []any {
		return studyRow(b.loadKey, start+int32(i), req.Studies[i])
	}); err != nil {
		return err
	}
	start += int32(len(req.Studies))
	if _, err := b.copy(ctx, b.conn, copyPlatforms, len(req.Platforms), func(i int, _ []any) []any {
		return platformRow(b.loadKey, start+int32(i), req.Platforms[i])
	}); err != nil {
		return err
	}
	start += int32(len(req.Platforms))
	if _, err := b.copy(ctx, b.conn, copySamples, len(req.Samples), func(i int, _ []any) []any {
		return sampleRow(b.loadKey, start+int32(i), req.Samples[i])
	}); err != nil {
		return err
	}
	b.ordinal = start + int32(len(req.Samples))
	return nil
}

// WriteRows implements warehouse.Batch. Cells are buffered and sent in bulk
// copies of Config.ChunkRows cells.
func (b *batch) WriteRows(ctx context.Context, req warehouse.RowsRequest) error {
	if b.done {
		return batchEnded()
	}
	if err := ctx.Err(); err != nil {
		return b.w.wrap(err, "mssql: staging rows")
	}
	if err := b.lines.Check(req.Rows); err != nil {
		return err
	}
	// A row in a column Begin did not declare has no sample: the fact
	// insert would drop it silently, so the batch fails instead.
	if b.sent == nil {
		b.sent = make([]int64, len(b.studiesOf))
	}
	for i, c := range req.Rows.Column {
		if c < 0 || int(c) >= len(b.studiesOf) || len(b.studiesOf[c]) == 0 {
			return qc.Errorf(qc.ConstraintViolation, "mssql: row %d of a batch of %s is in matrix column %d, which the load did not declare", i, b.file, c)
		}
		if v := req.Rows.Value[i]; v != 0 && math.Abs(v) < minNormalFloat {
			return &qc.Error{Code: qc.ConstraintViolation, Severity: qc.SeverityError, File: b.file, Line: req.Rows.Line(i), Column: int64(c) + 2,
				Msg: fmt.Sprintf("mssql: the value %g of gene %q is subnormal: SQL Server's float holds 0 and magnitudes from 2.23E-308 to 1.79E+308 only; write it as 0 in the matrix", v, qc.Shorten(req.Rows.Gene(i), 80))}
		} else if math.IsInf(v, 0) {
			// The matrix reader refuses infinities; a caller's own rows
			// may not have been read by it.
			return &qc.Error{Code: qc.ConstraintViolation, Severity: qc.SeverityError, File: b.file, Line: req.Rows.Line(i), Column: int64(c) + 2,
				Msg: fmt.Sprintf("mssql: the value %g of gene %q is infinite: SQL Server's float holds finite numbers only", v, qc.Shorten(req.Rows.Gene(i), 80))}
		}
		b.sent[c]++
	}
	return b.cells.add(req.Rows, func() error { return b.flush(ctx) })
}

// staged is the number of rows sent for study: those of the columns it
// holds.
func (b *batch) staged(study string) int64 {
	var n int64
	for c, studies := range b.studiesOf {
		if c < len(b.sent) && slices.Contains(studies, study) {
			n += b.sent[c]
		}
	}
	return n
}

// flush sends the buffered gene lines and cells, and empties the buffer.
func (b *batch) flush(ctx context.Context) error {
	c := b.cells
	if len(c.genes) > 0 {
		n, err := b.copy(ctx, b.conn, copyRows, len(c.genes), func(i int, row []any) []any {
			return geneRow(row, b.loadKey, c.geneLines[i], c.genes[i])
		})
		if err != nil {
			return err
		}
		b.sentGenes += n
		c.geneLines, c.genes = c.geneLines[:0], c.genes[:0]
	}
	if c.len() > 0 {
		n, err := b.copy(ctx, b.conn, copyValues(b.w.cfg.ChunkRows), c.len(), func(i int, dst []any) []any {
			valueRow(dst, b.loadKey, c.lines[i], c.columns[i], c.values[i])
			return dst
		})
		if err != nil {
			return err
		}
		b.sentValues += n
	}
	c.reset()
	return nil
}

// Commit implements warehouse.Batch.
func (b *batch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if b.done {
		return warehouse.CommitResult{}, batchEnded()
	}
	res, err := b.commit(ctx, req)
	if err != nil {
		return warehouse.CommitResult{}, errors.Join(err, b.Abort(ctx))
	}
	return res, nil
}

func (b *batch) commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if err := b.checkCommit(req); err != nil {
		return warehouse.CommitResult{}, err
	}
	if err := b.flush(ctx); err != nil {
		return warehouse.CommitResult{}, err
	}
	var res warehouse.CommitResult
	err := b.w.retry(ctx, opAtomic, func(ctx context.Context) error {
		if b.broken {
			return errBroken
		}
		var err error
		res, err = b.publish(ctx, req)
		return err
	})
	if err != nil {
		b.markBroken(err)
		return warehouse.CommitResult{}, b.w.wrap(err, "mssql: committing the load")
	}
	// The load's staging rows go now, after the commit, and its lock with
	// them. Deleted inside the commit's transaction, a large load's rows
	// would hold their locks (escalated to the whole table) until COMMIT,
	// and every other load's bulk copies into staging would wait for it.
	// Rows a failed delete leaves are a dead load's once the lock is
	// gone, which the next Begin (or CleanStaging) removes: the commit
	// stands either way, and its error is no failure of the load: it is
	// logged.
	b.done = true
	if err := b.clearAndRelease(ctx); err != nil {
		b.w.logger().Warn("mssql: the load is committed, but its staging rows stay until the next load removes them",
			"load", b.loadKey, "error", err.Error())
	}
	return res, nil
}

// publish is the commit transaction: everything the load changes outside
// staging happens here, so readers see all of it or none of it, and any
// error (XACT_ABORT is on) rolls all of it back, leaving staging as it was
// for a retry.
//
// The transaction is begun under a context of its own, not the caller's:
// database/sql rolls a transaction back when its context ends, and
// go-mssqldb waits for COMMIT's reply under it, so the caller's context
// ending as the server commits would report a published load as failed
// (an attention after COMMIT does not undo it). The statements run under
// the caller's context (XACT_ABORT rolls the transaction back when one is
// interrupted), the caller's context is checked before COMMIT, and COMMIT
// waits at most cleanupTimeout (as does the rollback once the caller's
// context ended); if its reply is lost all the same, landed tells whether
// it committed.
func (b *batch) publish(ctx context.Context, req warehouse.CommitRequest) (res warehouse.CommitResult, err error) {
	txCtx, cancelTx := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelTx()
	// Once the caller's context ends, the rollback that follows gets
	// cleanupTimeout, as Abort's statements do.
	defer context.AfterFunc(ctx, func() { time.AfterFunc(cleanupTimeout, cancelTx) })()
	tx, err := b.conn.BeginTx(txCtx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			// With XACT_ABORT the server has usually rolled back already;
			// the error that caused it is the one to report.
			_ = tx.Rollback()
		}
	}()
	if err = getAppLock(ctx, tx, stmtPublishLock, lockTimeoutMillis(b.w.cfg.BusyTimeout), "publishing"); err != nil {
		return res, err
	}
	if err = b.checkStaged(ctx, tx); err != nil {
		return res, err
	}
	// Inside the transaction a failed copy is retried with the whole
	// transaction, by the caller.
	n, ok, err := copyIn(ctx, tx, copyBatches, len(req.Studies), func(i int, _ []any) []any {
		s := req.Studies[i]
		return batchRow(b.loadKey, s, b.source, req.FileHash, warehouse.LoadSignature(s.Study, b.cols, b.staged(s.Study)))
	})
	if err != nil {
		b.broken = b.broken || !ok
		return res, fmt.Errorf("staging batch ids: %w", err)
	}
	if n != int64(len(req.Studies)) {
		return res, qc.Errorf(qc.ConstraintViolation, "mssql: bulk copy into %s wrote %d rows of %d", copyBatches.table, n, len(req.Studies))
	}
	for _, m := range []struct{ stmt, what string }{
		{stmtMergePlatforms, "merging platforms"},
		{stmtMergeStudies, "merging studies"},
		{stmtMergeSamples, "merging samples"},
		{stmtMergeStudySamples, "merging the samples' study memberships"},
		{stmtMergeGenes, "merging genes"},
	} {
		if _, err = tx.ExecContext(ctx, m.stmt, b.loadKey); err != nil {
			return res, fmt.Errorf("%s: %w", m.what, err)
		}
	}
	var missing string
	switch err = tx.QueryRowContext(ctx, stmtMissingSamples, b.loadKey).Scan(&missing); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return res, err
	default:
		return res, qc.Errorf(qc.DimensionLookupFailed, "mssql: matrix column sample %s is not a sample of its study in the dimensions; UpsertDimensions must list every sample with its study", missing)
	}
	if _, err = tx.ExecContext(ctx, stmtClassifyBatches, b.loadKey); err != nil {
		return res, err
	}
	plan, err := readPlan(ctx, tx, b.loadKey)
	if err != nil {
		return res, err
	}
	for _, s := range req.Studies {
		p, ok := plan[s.Study]
		if !ok || p.studyKey == 0 {
			return res, qc.Errorf(qc.DimensionLookupFailed, "mssql: study %s has no dimension row; UpsertDimensions must list every study", s.Study)
		}
		r := warehouse.StudyResult{Study: s.Study, BatchID: s.BatchID, Outcome: p.outcome, PreviousBatchID: p.previous}
		if p.outcome != warehouse.Duplicate {
			if r.RowsWritten, err = b.publishStudy(ctx, tx, s, p, req); err != nil {
				return res, err
			}
		}
		res.Studies = append(res.Studies, r)
	}
	for _, s := range req.Studies {
		if _, err = tx.ExecContext(ctx, stmtUpsertStudyQC, qcArgs(s)...); err != nil {
			return res, fmt.Errorf("recording study QC for %s: %w", s.Study, err)
		}
		if _, err = tx.ExecContext(ctx, stmtUpsertBatchQC, batchQCArgs(b.runID, s.Study, s.BatchID, warehouse.QCLoaded, s.QC)...); err != nil {
			return res, fmt.Errorf("recording the QC of batch %s: %w", s.BatchID, err)
		}
		if err = insertFindings(ctx, tx, b.runID, s.BatchID, s.Study, s.Findings); err != nil {
			return res, err
		}
	}
	if err = ctx.Err(); err != nil {
		return res, err
	}
	timer := time.AfterFunc(cleanupTimeout, cancelTx)
	defer timer.Stop()
	if err = tx.Commit(); err != nil && b.landed(ctx, req) {
		err = nil // the reply was lost, not the commit: it is published
	}
	return res, err
}

// landed reports whether the load's commit transaction committed, after
// its COMMIT failed on this side. The load's connection is discarded first;
// then, from a session of the pool, the load's session lock is taken, which
// is granted only once the discarded session has ended on the server, and
// with it the transaction, committed or rolled back. Committed, it wrote
// the LOADED row of meta_batch_qc of each of its studies under this run's
// id; the absence of its staging.loads row would prove nothing, since
// another loader removes the registration of a load whose lock is free. A
// question that cannot be answered, or a batch without a run id, is no.
func (b *batch) landed(ctx context.Context, req warehouse.CommitRequest) bool {
	b.broken = true
	_ = discard(b.conn)
	if b.runID == "" {
		return false
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	committed := false
	err := b.afterSession(cctx, func(ctx context.Context, conn *sql.Conn) error {
		for _, s := range req.Studies {
			var n int64
			if err := conn.QueryRowContext(ctx, stmtLoadedBy, s.Study, s.BatchID, b.runID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
		}
		committed = true
		return nil
	})
	return err == nil && committed
}

// afterSession runs fn, retried as idempotent, in a session of the pool
// that holds the load's session lock: granted only once the load's own
// session (discarded by the caller) has ended on the server, with its
// transaction and anything it sent. The lock is given back before the
// session returns to the pool.
func (b *batch) afterSession(ctx context.Context, fn func(context.Context, *sql.Conn) error) error {
	return b.w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		return b.w.inSession(ctx, func(conn *sql.Conn) error {
			var granted int
			if err := conn.QueryRowContext(ctx, stmtLoadLockWait, loadLockResource(b.loadKey), lockTimeoutMillis(cleanupTimeout)).Scan(&granted); err != nil {
				return err
			}
			if granted < 0 {
				return fmt.Errorf("mssql: the lock of load %d was not freed (sp_getapplock returned %d)", b.loadKey, granted)
			}
			defer func() {
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
				defer cancel()
				if _, err := conn.ExecContext(uctx, stmtLoadUnlock, loadLockResource(b.loadKey)); err != nil {
					// A pooled session must not keep the lock: close it
					// instead, or the load would read as alive for as
					// long as the pool keeps the session.
					_ = discard(conn)
				}
			}()
			return fn(ctx, conn)
		})
	})
}

// checkStaged compares staging with what the load sent: a difference means
// the rows were lost (or doubled) on the way, and nothing may be published.
func (b *batch) checkStaged(ctx context.Context, tx *sql.Tx) error {
	var values, genes, columns int64
	if err := tx.QueryRowContext(ctx, stmtStagedCounts, b.loadKey).Scan(&values, &genes, &columns); err != nil {
		return err
	}
	if values != b.sentValues || genes != b.sentGenes || columns != b.sentColumns {
		return qc.Errorf(qc.ConstraintViolation,
			"mssql: staging holds %d cells, %d gene lines and %d columns for load %d, but the load sent %d, %d and %d; nothing was published",
			values, genes, columns, b.loadKey, b.sentValues, b.sentGenes, b.sentColumns)
	}
	var dupGenes, dupSamples int64
	if err := tx.QueryRowContext(ctx, stmtDuplicateKeys, b.loadKey).Scan(&dupGenes, &dupSamples); err != nil {
		return err
	}
	if dupGenes > 0 || dupSamples > 0 {
		return qc.Errorf(qc.ConstraintViolation,
			"mssql: the load holds %d gene ids on more than one line and %d samples in more than one column of one study; facts must be unique by study, sample and gene",
			dupGenes, dupSamples)
	}
	return nil
}

// studyPlan is what the commit does to one study.
type studyPlan struct {
	outcome  warehouse.Outcome
	previous string
	studyKey int32
}

func readPlan(ctx context.Context, tx *sql.Tx, loadKey int64) (map[string]studyPlan, error) {
	rows, err := tx.QueryContext(ctx, stmtReadBatches, loadKey)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	plan := map[string]studyPlan{}
	for rows.Next() {
		var study, batchID, outcome, previous string
		var key int32
		if err := rows.Scan(&study, &batchID, &outcome, &previous, &key); err != nil {
			return nil, err
		}
		plan[study] = studyPlan{outcome: warehouse.Outcome(outcome), previous: previous, studyKey: key}
	}
	return plan, rows.Err()
}

// publishStudy replaces one study's facts with its staged cells, and its
// samples with the batch's, and makes its batch current.
func (b *batch) publishStudy(ctx context.Context, tx *sql.Tx, s warehouse.StudyCommit, p studyPlan, req warehouse.CommitRequest) (int64, error) {
	if p.outcome == warehouse.Replaced {
		if _, err := tx.ExecContext(ctx, stmtDeleteFacts, p.studyKey); err != nil {
			return 0, fmt.Errorf("removing the facts of %s: %w", s.Study, err)
		}
		if _, err := tx.ExecContext(ctx, stmtDropFeatures, p.studyKey, s.BatchID); err != nil {
			return 0, fmt.Errorf("removing the features of the replaced facts of %s: %w", s.Study, err)
		}
		if _, err := tx.ExecContext(ctx, stmtStaleFeatures, p.studyKey, s.BatchID); err != nil {
			return 0, fmt.Errorf("marking the features of %s stale: %w", s.Study, err)
		}
	}
	if _, err := tx.ExecContext(ctx, stmtDropStudySamples, b.loadKey, p.studyKey, s.Study); err != nil {
		return 0, fmt.Errorf("removing the samples the batch of %s dropped from it: %w", s.Study, err)
	}
	r, err := tx.ExecContext(ctx, stmtInsertFacts, b.loadKey, p.studyKey, s.BatchID, s.Study)
	if err != nil {
		return 0, fmt.Errorf("inserting the facts of %s: %w", s.Study, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, stmtRetireBatch, p.studyKey); err != nil {
		return 0, fmt.Errorf("retiring the batch of %s: %w", s.Study, err)
	}
	sig := warehouse.LoadSignature(s.Study, b.cols, b.staged(s.Study))
	if _, err := tx.ExecContext(ctx, stmtRecordBatch, p.studyKey, s.BatchID, s.Study, null(b.source), req.FileHash, null(b.runID), n, sig, null(req.ScaleBy)); err != nil {
		return 0, fmt.Errorf("recording the batch of %s: %w", s.Study, err)
	}
	return n, nil
}

// Abort implements warehouse.Batch. It deletes the load's staging rows and
// releases its connection. If the connection is broken (lost, or a
// statement's context ended mid-statement, which makes go-mssqldb drop
// it: a deadline is a net.Error to its checkBadConn) it is discarded
// first, which ends the session with any transaction and the load's lock,
// and the rows are deleted from a session of the pool once it holds the
// load's lock (so the old session has ended); only if that fails too do
// they stay until the next load removes them.
func (b *batch) Abort(ctx context.Context) error {
	if b.done {
		return nil
	}
	b.done = true
	return b.clearAndRelease(ctx)
}

// clearAndRelease deletes the load's staging rows and releases its lock
// and connection (see Abort).
func (b *batch) clearAndRelease(ctx context.Context) error {
	if b.conn == nil {
		return nil
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var first error
	if b.registered && !b.broken {
		first = clearLoad(cctx, b.conn, b.loadKey)
		if first == nil {
			return b.release(ctx)
		}
		b.broken = true
	}
	released := b.release(ctx)
	if !b.registered {
		return released
	}
	// After the discarded session: nothing it sent can still land after
	// the rows are deleted. With a time of its own: the first attempt may
	// have spent all of cctx (a deadline is one way a session breaks).
	actx, cancelAfter := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancelAfter()
	err := b.afterSession(actx, func(ctx context.Context, conn *sql.Conn) error {
		return clearLoad(ctx, conn, b.loadKey)
	})
	if err != nil {
		return errors.Join(fmt.Errorf("mssql: aborting load %d: its staging rows stay until the next load removes them: %w", b.loadKey, errors.Join(first, err)),
			released)
	}
	return released
}

// release gives up the load's lock and its connection.
func (b *batch) release(ctx context.Context) error {
	conn := b.conn
	b.conn = nil
	if b.broken {
		return discard(conn)
	}
	if !b.locked {
		return conn.Close()
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if _, err := conn.ExecContext(cctx, stmtLoadUnlock, loadLockResource(b.loadKey)); err != nil {
		// A pooled session must not keep the lock: close it instead.
		return discard(conn)
	}
	return conn.Close()
}

// discard closes conn and keeps database/sql from pooling it again, so
// that its session (and any lock it owns) ends.
func discard(conn *sql.Conn) error {
	err := errors.Join(conn.Raw(func(any) error { return driver.ErrBadConn }), conn.Close())
	// ErrBadConn is the discarding itself; ErrConnDone means database/sql
	// already dropped the connection.
	if err == nil || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return nil
	}
	return err
}

// getAppLock takes an application lock with one of the lock statements and
// turns its result into an error.
func getAppLock(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, stmt string, timeoutMillis int32, what string) error {
	var r int
	if err := q.QueryRowContext(ctx, stmt, timeoutMillis).Scan(&r); err != nil {
		return err
	}
	switch {
	case r >= 0:
		return nil
	case r == -1:
		return &qc.Error{Code: qc.WarehouseBusy, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("warehouse busy: another loader has been %s for longer than busy_timeout; retry when it finishes, or raise busy_timeout", what)}
	case r == -3:
		return errLockDeadlock
	}
	return fmt.Errorf("mssql: sp_getapplock returned %d while %s", r, what)
}

// lockTimeoutMillis converts a wait to sp_getapplock's @LockTimeout.
func lockTimeoutMillis(d time.Duration) int32 {
	ms := d.Milliseconds()
	if ms > 1<<31-1 {
		return -1 // wait without limit
	}
	return int32(ms)
}

// checkCommit refuses a commit no batch can make (warehouse.CheckCommit).
func (b *batch) checkCommit(req warehouse.CommitRequest) error {
	return warehouse.CheckCommit(req, b.file, func(study string) bool { return b.studies[study] })
}
