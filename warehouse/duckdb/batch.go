package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/warehouse"
)

// batch is one load: a transaction on a dedicated connection.
type batch struct {
	w       *Warehouse
	conn    *sql.Conn
	loadKey int64
	file    string
	runID   string
	values  *duckdbdrv.Appender // staging.expression_values
	rows    *duckdbdrv.Appender // staging.matrix_rows
	done    bool
}

// Begin implements warehouse.WarehouseSink.
func (w *Warehouse) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, classify(err, "duckdb: taking a connection")
	}
	b := &batch{w: w, conn: conn, file: req.FileName, runID: req.RunID}
	if err := b.begin(ctx, req); err != nil {
		return nil, errors.Join(err, b.Abort(ctx))
	}
	return b, nil
}

func (b *batch) begin(ctx context.Context, req warehouse.BeginRequest) error {
	if _, err := b.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return classify(err, "duckdb: beginning the load")
	}
	if err := b.conn.QueryRowContext(ctx, stmtNextLoadKey).Scan(&b.loadKey); err != nil {
		return classify(err, "duckdb: allocating a load key")
	}
	stmt, err := b.conn.PrepareContext(ctx, stmtStageColumn)
	if err != nil {
		return classify(err, "duckdb: preparing staging")
	}
	defer stmt.Close()
	for _, c := range req.Columns {
		if _, err := stmt.ExecContext(ctx, b.loadKey, c.Index, c.Sample, c.Study); err != nil {
			return classify(err, "duckdb: staging matrix columns")
		}
	}
	return b.conn.Raw(func(dc any) error {
		var err error
		if b.values, err = duckdbdrv.NewAppender(dc.(driver.Conn), "", "staging", "expression_values"); err != nil {
			return classify(err, "duckdb: opening the staging appender")
		}
		if b.rows, err = duckdbdrv.NewAppender(dc.(driver.Conn), "", "staging", "matrix_rows"); err != nil {
			return classify(err, "duckdb: opening the staging appender")
		}
		return nil
	})
}

// UpsertDimensions implements warehouse.Batch.
func (b *batch) UpsertDimensions(ctx context.Context, req warehouse.DimensionsRequest) error {
	if b.done {
		return errDone
	}
	for _, s := range req.Studies {
		_, err := b.conn.ExecContext(ctx, stmtUpsertStudy, s.Accession, null(s.Title), null(s.PubmedID), null(s.Technology),
			null(s.Organism), null(s.PlatformSummary), null(s.Description), s.FirstPublished, s.LastModified)
		if err != nil {
			return classify(err, "duckdb: upserting study "+s.Accession)
		}
	}
	for _, p := range req.Platforms {
		if _, err := b.conn.ExecContext(ctx, stmtUpsertPlatform, p.Accession, null(p.Name), null(p.Manufacturer), null(p.Technology)); err != nil {
			return classify(err, "duckdb: upserting platform "+p.Accession)
		}
	}
	if len(req.Samples) == 0 {
		return nil
	}
	stmt, err := b.conn.PrepareContext(ctx, stmtUpsertSample)
	if err != nil {
		return classify(err, "duckdb: preparing the sample upsert")
	}
	defer stmt.Close()
	for _, s := range req.Samples {
		_, err := stmt.ExecContext(ctx, s.Accession, null(s.Title), null(s.Organism), null(s.Platform), null(s.Treatment),
			null(s.CellLine), null(s.Tissue), s.Processed, null(s.ProcessorName), null(s.ProcessorVersion),
			s.Illness, null(s.IllnessMethod), null(s.IllnessRule), null(s.IllnessField), null(s.IllnessMatched),
			s.Platform, s.Study, s.ExcludeAnalysis)
		if err != nil {
			return classify(err, "duckdb: upserting sample "+s.Accession)
		}
	}
	return nil
}

// WriteRows implements warehouse.Batch.
func (b *batch) WriteRows(ctx context.Context, req warehouse.RowsRequest) error {
	if b.done {
		return errDone
	}
	if err := ctx.Err(); err != nil {
		return classify(err, "duckdb: staging rows")
	}
	lb := req.Rows
	for i, g := range lb.Genes {
		if err := b.rows.AppendRow(b.loadKey, lb.GeneLines[i], g); err != nil {
			return classify(err, "duckdb: staging gene rows")
		}
	}
	for i, v := range lb.Value {
		var val any = v
		if v != v {
			val = nil
		}
		if err := b.values.AppendRow(b.loadKey, lb.GeneLines[lb.Row[i]], lb.Column[i], val); err != nil {
			return classify(err, "duckdb: staging values")
		}
	}
	return nil
}

// Commit implements warehouse.Batch.
func (b *batch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if b.done {
		return warehouse.CommitResult{}, errDone
	}
	res, err := b.commit(ctx, req)
	if err != nil {
		return warehouse.CommitResult{}, errors.Join(err, b.Abort(ctx))
	}
	return res, nil
}

func (b *batch) commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if err := b.closeAppenders(); err != nil {
		return warehouse.CommitResult{}, classify(err, "duckdb: flushing staging")
	}
	for _, s := range req.Studies {
		if _, err := b.conn.ExecContext(ctx, stmtStageBatch, b.loadKey, s.Study, s.BatchID, b.file, req.FileHash); err != nil {
			return warehouse.CommitResult{}, classify(err, "duckdb: staging batch ids")
		}
	}
	current, err := b.currentBatches(ctx)
	if err != nil {
		return warehouse.CommitResult{}, err
	}
	var res warehouse.CommitResult
	var publish []string
	for _, s := range req.Studies {
		r := warehouse.StudyResult{Study: s.Study, BatchID: s.BatchID, PreviousBatchID: current[s.Study]}
		switch r.PreviousBatchID {
		case s.BatchID:
			r.Outcome = warehouse.Duplicate
		case "":
			r.Outcome = warehouse.Inserted
			publish = append(publish, s.BatchID)
		default:
			r.Outcome = warehouse.Replaced
			publish = append(publish, s.BatchID)
		}
		res.Studies = append(res.Studies, r)
	}
	if len(publish) > 0 {
		counts, err := b.publish(ctx, publish)
		if err != nil {
			return warehouse.CommitResult{}, err
		}
		for i := range res.Studies {
			if res.Studies[i].Outcome != warehouse.Duplicate {
				res.Studies[i].RowsWritten = counts[res.Studies[i].Study]
			}
		}
	}
	for _, s := range req.Studies {
		if err := b.recordQuality(ctx, s); err != nil {
			return warehouse.CommitResult{}, err
		}
	}
	for _, q := range stmtClearStaging {
		if _, err := b.conn.ExecContext(ctx, q, b.loadKey); err != nil {
			return warehouse.CommitResult{}, classify(err, "duckdb: clearing staging")
		}
	}
	if _, err := b.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return warehouse.CommitResult{}, classify(err, "duckdb: committing the load")
	}
	b.done = true
	return res, b.conn.Close()
}

func (b *batch) currentBatches(ctx context.Context) (map[string]string, error) {
	rows, err := b.conn.QueryContext(ctx, stmtCurrentBatches, b.loadKey)
	if err != nil {
		return nil, classify(err, "duckdb: reading current batches")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var study, id string
		if err := rows.Scan(&study, &id); err != nil {
			return nil, classify(err, "duckdb: reading current batches")
		}
		out[study] = id
	}
	return out, classify(rows.Err(), "duckdb: reading current batches")
}

// publish replaces the facts of the studies whose batch ids are listed.
func (b *batch) publish(ctx context.Context, list []string) (map[string]int64, error) {
	steps := []struct {
		stmt string
		args []any
		what string
	}{
		{stmtInsertGenes, []any{b.loadKey}, "adding genes"},
		{stmtDeleteFacts, []any{b.loadKey, list}, "removing replaced facts"},
		{stmtInsertFacts, []any{b.loadKey, list}, "inserting facts"},
		{stmtRetireBatches, []any{b.loadKey, list}, "retiring replaced batches"},
	}
	for _, s := range steps {
		if _, err := b.conn.ExecContext(ctx, s.stmt, s.args...); err != nil {
			return nil, classify(err, "duckdb: "+s.what)
		}
	}
	if _, err := b.conn.ExecContext(ctx, stmtRecordBatches, b.loadKey, list, null(b.runID)); err != nil {
		return nil, classify(err, "duckdb: recording batches")
	}
	rows, err := b.conn.QueryContext(ctx, stmtCountFacts, b.loadKey, list)
	if err != nil {
		return nil, classify(err, "duckdb: counting facts")
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var study string
		var n int64
		if err := rows.Scan(&study, &n); err != nil {
			return nil, classify(err, "duckdb: counting facts")
		}
		counts[study] = n
	}
	return counts, classify(rows.Err(), "duckdb: counting facts")
}

func (b *batch) recordQuality(ctx context.Context, s warehouse.StudyCommit) error {
	q := s.QC
	_, err := b.conn.ExecContext(ctx, stmtUpsertStudyQC, s.Study, s.BatchID, q.KSStatistic, q.KSPValue, null(q.KSWarning),
		q.QuantileNormalized, q.QuantSFOnly, q.KSStatisticRecomputed, q.KSPValueRecomputed, null(q.KSWorstSample),
		q.Genes, q.Samples, q.Cells, q.MissingCells, q.DuplicateGenes)
	if err != nil {
		return classify(err, "duckdb: recording study QC for "+s.Study)
	}
	return insertFindings(ctx, b.conn, b.runID, s.BatchID, s.Study, s.Findings)
}

// Abort implements warehouse.Batch.
func (b *batch) Abort(ctx context.Context) error {
	if b.done {
		return nil
	}
	b.done = true
	var errs []error
	for _, a := range []*duckdbdrv.Appender{b.values, b.rows} {
		if a != nil {
			// Clear drops unflushed rows; Close then has nothing to write.
			errs = append(errs, a.Clear(), a.Close())
		}
	}
	b.values, b.rows = nil, nil
	// The connection may never have begun a transaction; ROLLBACK then
	// fails harmlessly, and closing the connection discards everything.
	_, _ = b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	errs = append(errs, b.conn.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("duckdb: aborting the load: %w", err)
	}
	return nil
}

func (b *batch) closeAppenders() error {
	var errs []error
	for _, a := range []*duckdbdrv.Appender{b.rows, b.values} {
		if a != nil {
			errs = append(errs, a.Close())
		}
	}
	b.values, b.rows = nil, nil
	return errors.Join(errs...)
}

var errDone = errors.New("duckdb: the batch has already been committed or aborted")

// null turns "" into SQL NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
