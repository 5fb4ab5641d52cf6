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
// distinct keys stand in only for a batch without its QC row.
const stmtStatusStudies = `SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, ''),
    COALESCE(q.sample_count, (SELECT COUNT(DISTINCT f.sample_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT(DISTINCT f.gene_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM meta_batch b
LEFT JOIN meta_batch_qc q
  ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = 'LOADED'
WHERE b.is_current
ORDER BY b.study_accession_code`

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
