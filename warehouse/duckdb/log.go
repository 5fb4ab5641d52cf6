package duckdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// recordTimeout bounds what the process log, the findings and the study QC
// wait for, their connection included, once ctx is left out.
var recordTimeout = time.Minute

// recordContext is the context the records of a run are written under:
// not ctx's end, since an interrupted run's steps and findings are written
// after it (that they were interrupted), but at most recordTimeout, so
// that a pool with no connection free (a Warehouse New made over a pool
// of one, held by an open Batch) is waited for no longer.
func recordContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
}

// LogStep implements warehouse.WarehouseSink. It autocommits, outside any
// batch, so a failed load's steps stay recorded.
func (w *Warehouse) LogStep(ctx context.Context, s warehouse.StepRecord) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.file.runs.Store(s.RunID, true)
	if err := w.requireSchema(ctx); err != nil {
		return err
	}
	rctx, cancel := recordContext(ctx)
	defer cancel()
	_, err := w.db.ExecContext(rctx, stmtLogStep, logStepArgs(s)...)
	return classify(err, "duckdb: writing meta_etl_process_log")
}

// LogSteps implements warehouse.StepsLogger: the rows in one transaction,
// so in one commit.
func (w *Warehouse) LogSteps(ctx context.Context, steps []warehouse.StepRecord) error {
	ctx, cancel := recordContext(ctx)
	defer cancel()
	if err := w.requireSchema(ctx); err != nil {
		return err
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err, "duckdb: writing meta_etl_process_log")
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, stmtLogStep)
	if err != nil {
		return classify(err, "duckdb: writing meta_etl_process_log")
	}
	defer stmt.Close()
	for _, s := range steps {
		w.file.runs.Store(s.RunID, true)
		if _, err := stmt.ExecContext(ctx, logStepArgs(s)...); err != nil {
			return classify(err, "duckdb: writing meta_etl_process_log")
		}
	}
	return classify(tx.Commit(), "duckdb: writing meta_etl_process_log")
}

// logStepArgs are stmtLogStep's arguments for s.
func logStepArgs(s warehouse.StepRecord) []any {
	attempt := s.Attempt
	if attempt == 0 {
		attempt = 1
	}
	return []any{s.LogID, s.RunID, null(s.BatchID), null(s.Study), s.Step,
		s.Status, attempt, s.StartedAt.UTC(), utcPtr(s.EndedAt), s.RowsRead, s.RowsWritten, s.ErrorCode,
		null(s.ErrorMessage), null(s.Context)}
}

// RecordFindings implements warehouse.WarehouseSink.
func (w *Warehouse) RecordFindings(ctx context.Context, req warehouse.FindingsRequest) error {
	ctx, cancel := recordContext(ctx)
	defer cancel()
	if err := w.requireSchema(ctx); err != nil {
		return err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return classify(err, "duckdb: taking a connection")
	}
	defer conn.Close()
	return insertFindings(ctx, conn, req.RunID, req.BatchID, "", req.Findings)
}

// insertFindings writes findings to meta_data_validation_log. A finding's own
// Study wins over study.
func insertFindings(ctx context.Context, db *sql.Conn, runID, batchID, study string, findings []*qc.Error) error {
	for _, f := range findings {
		st := f.Study
		if st == "" {
			st = study
		}
		details := f.Details()
		_, err := db.ExecContext(ctx, stmtInsertFinding, null(runID), null(batchID), null(st), int(f.Code), f.Code.Name(),
			f.Severity.String(), details, null(f.File), nonZero(f.Line), nonZero(f.Column))
		if err != nil {
			return classify(err, "duckdb: writing meta_data_validation_log")
		}
	}
	return nil
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// nonZero turns 0 (no line, no column) into SQL NULL.
func nonZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

var _ warehouse.QCRecorder = (*Warehouse)(nil)

// RecordStudyQC implements warehouse.QCRecorder: it records the QC of a
// batch validation rejected in meta_batch_qc, outside any batch. It writes
// no dimension row, so nothing of the rejected study is visible but its QC
// and findings.
func (w *Warehouse) RecordStudyQC(ctx context.Context, req warehouse.StudyQCRequest) error {
	if err := w.usable(); err != nil {
		return err
	}
	if req.Study == "" || req.BatchID == "" {
		return qc.Errorf(qc.ConstraintViolation, "duckdb: study QC needs a study and a batch id (got %q, %q)", req.Study, req.BatchID)
	}
	status := req.Status
	if status == "" {
		status = warehouse.QCRejected
	}
	ctx, cancel := recordContext(ctx)
	defer cancel()
	if err := w.requireSchema(ctx); err != nil {
		return err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return classify(err, "duckdb: taking a connection")
	}
	defer conn.Close()
	return upsertBatchQC(ctx, conn, req.RunID, req.Study, req.BatchID, status, req.QC)
}

// upsertBatchQC writes the row of meta_batch_qc of one validation of a
// batch with outcome status.
func upsertBatchQC(ctx context.Context, db *sql.Conn, runID, study, batchID, status string, q warehouse.StudyQC) error {
	rowsUsed, sampled := ksRows(q)
	_, err := upsert(ctx, db, stmtUpsertBatchQC, stmtInsertBatchQC, study, batchID, status, null(runID), q.KSStatistic, q.KSPValue,
		null(q.KSWarning), q.QuantileNormalized, q.QuantSFOnly, q.KSStatisticRecomputed, q.KSPValueRecomputed,
		null(q.KSWorstSample), q.Genes, q.Samples, q.Cells, q.MissingCells, q.DuplicateGenes, rowsUsed, sampled)
	return classify(err, "duckdb: recording the QC of batch "+batchID)
}

// ksRows returns how many rows the recomputed KS check read and whether
// they were sampled, or two NULLs unless both are known: the count alone
// does not say whether the figures are scipy's on the whole matrix.
func ksRows(q warehouse.StudyQC) (rowsUsed, sampled any) {
	if q.KSRowsUsed == nil || q.KSSampled == nil {
		return nil, nil
	}
	return *q.KSRowsUsed, *q.KSSampled
}
