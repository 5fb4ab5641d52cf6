package duckdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// LogStep implements warehouse.WarehouseSink. It autocommits, outside any
// batch, so a failed load's steps stay recorded.
func (w *Warehouse) LogStep(ctx context.Context, s warehouse.StepRecord) error {
	attempt := s.Attempt
	if attempt == 0 {
		attempt = 1
	}
	_, err := w.db.ExecContext(context.WithoutCancel(ctx), stmtLogStep, s.LogID, s.RunID, null(s.BatchID), null(s.Study), s.Step,
		s.Status, attempt, s.StartedAt.UTC(), utcPtr(s.EndedAt), s.RowsRead, s.RowsWritten, s.ErrorCode,
		null(s.ErrorMessage), null(s.Context))
	return classify(err, "duckdb: writing meta_etl_process_log")
}

// RecordFindings implements warehouse.WarehouseSink.
func (w *Warehouse) RecordFindings(ctx context.Context, req warehouse.FindingsRequest) error {
	conn, err := w.db.Conn(context.WithoutCancel(ctx))
	if err != nil {
		return classify(err, "duckdb: taking a connection")
	}
	defer conn.Close()
	return insertFindings(context.WithoutCancel(ctx), conn, req.RunID, req.BatchID, "", req.Findings)
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
