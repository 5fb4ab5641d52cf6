package mssql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// recordContext is the context the records of a run are written under:
// not ctx's end, since an interrupted run's steps and findings are written
// after it (that they were interrupted), but at most cleanupTimeout, retries
// included, so that a record blocked by another session's locks is waited
// for no longer.
func recordContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// LogStep implements warehouse.WarehouseSink. It autocommits, outside any
// batch, so a failed load's steps stay recorded; it is an upsert by LogID,
// so it is retried even after a lost connection.
func (w *Warehouse) LogStep(ctx context.Context, s warehouse.StepRecord) error {
	if err := w.usable(); err != nil {
		return err
	}
	ctx, cancel := recordContext(ctx)
	defer cancel()
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		_, err := w.db.ExecContext(ctx, stmtLogStep, logArgs(s)...)
		return err
	})
	return w.wrap(err, "mssql: writing meta_etl_process_log")
}

// RecordFindings implements warehouse.WarehouseSink. The findings go in one
// transaction, retried only when the server rolled it back, so none is
// recorded twice.
func (w *Warehouse) RecordFindings(ctx context.Context, req warehouse.FindingsRequest) error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(req.Findings) == 0 {
		return nil
	}
	ctx, cancel := recordContext(ctx)
	defer cancel()
	err := w.retry(ctx, opAtomic, func(ctx context.Context) (err error) {
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				_ = tx.Rollback()
			}
		}()
		if err = insertFindings(ctx, tx, req.RunID, req.BatchID, "", req.Findings); err != nil {
			return err
		}
		return tx.Commit()
	})
	return w.wrap(err, "mssql: writing meta_data_validation_log")
}

// insertFindings writes findings to meta_data_validation_log, up to
// maxFindingsPerStatement in each statement. A finding's own Study wins
// over study.
func insertFindings(ctx context.Context, tx *sql.Tx, runID, batchID, study string, findings []*qc.Error) error {
	for start := 0; start < len(findings); start += maxFindingsPerStatement {
		part := findings[start:min(start+maxFindingsPerStatement, len(findings))]
		args := make([]any, 0, len(part)*len(findingColumns))
		for _, f := range part {
			args = append(args, findingArgs(runID, batchID, study, f)...)
		}
		if _, err := tx.ExecContext(ctx, buildInsertFindings(len(part)), args...); err != nil {
			return fmt.Errorf("writing %d findings: %w", len(part), err)
		}
	}
	return nil
}

var _ warehouse.QCRecorder = (*Warehouse)(nil)

// RecordStudyQC implements warehouse.QCRecorder: it records the QC of a
// batch validation rejected in meta_batch_qc, outside any batch, and writes
// no dimension row. The upsert is keyed, so a retry writes it once.
func (w *Warehouse) RecordStudyQC(ctx context.Context, req warehouse.StudyQCRequest) error {
	if err := w.usable(); err != nil {
		return err
	}
	if req.Study == "" || req.BatchID == "" {
		return qc.Errorf(qc.ConstraintViolation, "mssql: study QC needs a study and a batch id (got %q, %q)", req.Study, req.BatchID)
	}
	status := req.Status
	if status == "" {
		status = warehouse.QCRejected
	}
	ctx, cancel := recordContext(ctx)
	defer cancel()
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		_, err := w.db.ExecContext(ctx, stmtUpsertBatchQC, batchQCArgs(req.RunID, req.Study, req.BatchID, status, req.QC)...)
		return err
	})
	return w.wrap(err, "mssql: recording the QC of batch "+req.BatchID)
}
