package mssql

import (
	"context"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

// Status implements warehouse.Statuser: the current batch of every study,
// and the most recent process-log rows.
func (w *Warehouse) Status(ctx context.Context, req warehouse.StatusRequest) (warehouse.Status, error) {
	if err := w.usable(); err != nil {
		return warehouse.Status{}, err
	}
	var st warehouse.Status
	v, err := w.Version(ctx)
	if err != nil {
		return st, w.wrap(err, "mssql: reading the schema version")
	}
	st.SchemaVersion = v
	if v == 0 {
		return st, nil
	}
	n := req.Runs
	if n <= 0 {
		n = 20
	}
	err = w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		st.Studies, st.Steps = nil, nil
		if err := w.readStudies(ctx, &st, v); err != nil {
			return err
		}
		return w.readSteps(ctx, &st, n)
	})
	return st, w.wrap(err, "mssql: reading the warehouse status")
}

// readStudies reads the current batches of a warehouse at schema version
// v; below 3 (opened read-only before init migrated it) there are no load
// signatures to read.
func (w *Warehouse) readStudies(ctx context.Context, st *warehouse.Status, v int) error {
	q := stmtStatusStudies
	if v < 3 {
		q = stmtStatusStudiesV2
	}
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s warehouse.StudyStatus
		if err := rows.Scan(&s.Study, &s.BatchID, &s.LoadSignature, &s.Samples, &s.Genes, &s.Facts, &s.LoadedAt); err != nil {
			return err
		}
		st.Studies = append(st.Studies, s)
	}
	return rows.Err()
}

func (w *Warehouse) readSteps(ctx context.Context, st *warehouse.Status, n int) error {
	rows, err := w.db.QueryContext(ctx, stmtStatusSteps, int32(min(n, 1<<31-1)))
	if err != nil {
		return err
	}
	st.Steps, err = scan.Steps(rows)
	return err
}
