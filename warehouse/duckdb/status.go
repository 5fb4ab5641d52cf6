package duckdb

import (
	"context"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

var _ warehouse.Statuser = (*Warehouse)(nil)

// stmtStatusStudies reports each current batch's samples and genes as its
// load counted them in the matrix (meta_batch_qc), as the load summary
// does, so that a sample column with no value at all counts; the facts'
// distinct keys stand in only for a batch without its QC row. Only those
// batches' studies are counted: written as a COALESCE of correlated
// subqueries, DuckDB aggregated every study's facts whatever the QC row
// held (0.46 s a `genexp status` at 30M facts, see docs/performance.md),
// where the semi-join on an empty list stops the scan at its first chunk
// (TestStatusReadsNoFactsWithQC).
const stmtStatusStudies = `WITH cur AS (
    SELECT b.study_key, b.study_accession_code, b.batch_id, b.load_signature, b.rows_written, b.loaded_at,
           q.sample_count, q.gene_count
    FROM meta_batch b
    LEFT JOIN meta_batch_qc q
      ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = 'LOADED'
    WHERE b.is_current
), counted AS (
    SELECT f.study_key, COUNT(DISTINCT f.sample_key) AS sample_count, COUNT(DISTINCT f.gene_key) AS gene_count
    FROM fact_gene_expression f
    WHERE f.study_key IN (SELECT study_key FROM cur WHERE sample_count IS NULL OR gene_count IS NULL)
    GROUP BY f.study_key
)
SELECT c.study_accession_code, c.batch_id, COALESCE(c.load_signature, ''),
    COALESCE(c.sample_count, n.sample_count, 0), COALESCE(c.gene_count, n.gene_count, 0),
    c.rows_written, c.loaded_at
FROM cur c
LEFT JOIN counted n ON n.study_key = c.study_key
ORDER BY c.study_accession_code`

// stmtStatusStudiesV3 reads a warehouse opened read-only before migration
// 004 added meta_batch.load_signature and meta_batch_qc: the counts come
// from meta_study_qc when it holds the current batch.
const stmtStatusStudiesV3 = `SELECT b.study_accession_code, b.batch_id, '',
    COALESCE(q.sample_count, (SELECT COUNT(DISTINCT f.sample_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT(DISTINCT f.gene_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM meta_batch b
LEFT JOIN meta_study_qc q ON q.study_key = b.study_key AND q.batch_id = b.batch_id
WHERE b.is_current
ORDER BY b.study_accession_code`

const stmtStatusSteps = `SELECT log_id, run_id, COALESCE(batch_id, ''), COALESCE(study_accession_code, ''), step, status, attempt,
    started_at, ended_at, rows_read, rows_written, error_code, COALESCE(error_message, ''),
    COALESCE(context_json, '')
FROM meta_etl_process_log
ORDER BY started_at DESC
LIMIT $1`

// Status implements warehouse.Statuser.
func (w *Warehouse) Status(ctx context.Context, req warehouse.StatusRequest) (warehouse.Status, error) {
	var st warehouse.Status
	v, err := w.Version(ctx)
	if err != nil {
		return st, classify(err, "duckdb: reading the schema version")
	}
	st.SchemaVersion = v
	if v == 0 {
		return st, nil
	}
	q := stmtStatusStudies
	if v < 4 {
		q = stmtStatusStudiesV3
	}
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return st, classify(err, "duckdb: reading studies")
	}
	defer rows.Close()
	for rows.Next() {
		var s warehouse.StudyStatus
		if err := rows.Scan(&s.Study, &s.BatchID, &s.LoadSignature, &s.Samples, &s.Genes, &s.Facts, &s.LoadedAt); err != nil {
			return st, classify(err, "duckdb: reading studies")
		}
		st.Studies = append(st.Studies, s)
	}
	if err := rows.Err(); err != nil {
		return st, classify(err, "duckdb: reading studies")
	}
	n := req.Runs
	if n <= 0 {
		n = 20
	}
	steps, err := w.db.QueryContext(ctx, stmtStatusSteps, n)
	if err != nil {
		return st, classify(err, "duckdb: reading the process log")
	}
	st.Steps, err = scan.Steps(steps)
	return st, classify(err, "duckdb: reading the process log")
}
