-- genexp warehouse, schema version 4 (DuckDB): load signatures, feature
-- input fingerprints, and the QC of every validated batch.
--
-- meta_batch.load_signature identifies which fact rows a load of the batch
-- holds (warehouse.LoadSignature: the study's matrix columns and samples,
-- and the rows staged, which the missing-value policy decides). A load is a
-- duplicate only when both its batch id and its signature match the
-- current batch; the same content with another column mapping or policy
-- replaces the study's facts, and the batch row (keyed by batch id) is
-- updated in place. Batches loaded before this version have no signature:
-- their next load replaces them once.
--
-- meta_feature_state.input_fingerprint records what the features were
-- computed from beside the batch: the load signature, the study's
-- technology, and each sample's illness label and exclusion flag, so a
-- relabel by a duplicate load makes them stale. A NULL fingerprint marks
-- features that were computed before this version, or whose facts a load
-- replaced under the same batch id (that load removes them).
--
-- meta_batch_qc is the QC history: one row per batch and outcome of its
-- validation, keyed by study accession, batch id and qc_status, so that a
-- LOADED and a REJECTED validation of the same content are two rows, and a
-- stricter run that rejects the content a study holds does not relabel the
-- row of its load. A batch validated again with the same outcome updates
-- its row. It has no foreign key to dim_study: a rejected batch writes no
-- dimension row, and its QC figures are kept all the same. ks_rows_used is
-- the number of matrix rows the recomputed Kolmogorov–Smirnov check read
-- and ks_sampled whether they were a deterministic sample of the matrix's
-- rows (a matrix larger than processing.ks_max_cells), so that the
-- ks_*_recomputed figures are not scipy's ks_2samp on the whole matrix;
-- both are NULL when the check did not run. meta_study_qc keeps the QC of
-- each study's loaded batch, as before; the rows it holds are copied here
-- as LOADED.
--
-- Replaying from the write-ahead log: DuckDB 1.5.6 replays an ALTER TABLE …
-- ADD COLUMN by binding the table's column defaults again, and cannot bind
-- a function default (current_timestamp, nextval) there: the reopen fails
-- with "INTERNAL Error: Failure while replaying WAL file … Calling
-- DatabaseManager::GetDefaultDatabase with no default database set" (from
-- Binder::BindDefaultValues), and the warehouse never opens again. A crash
-- between such a migration and the next checkpoint would do that. Tried
-- table by table (a child process that ALTERs and exits without closing,
-- then a reopen):
--   - safe: the three ALTERs below, on meta_batch, staging.load_batches
--     and meta_feature_state, which have no DEFAULT; also dim_illness,
--     staging.samples, and meta_etl_process_log, whose only DEFAULT is a
--     constant;
--   - unsafe: meta_study_qc (collected_at DEFAULT current_timestamp),
--     meta_batch_qc (the same), meta_data_validation_log,
--     meta_feature_catalog, meta_schema_version, fact_gene_expression,
--     fact_feature_values, dim_study, dim_platform, dim_gene and dim_sample.
-- That is why the KS row counts are columns of the new meta_batch_qc and
-- not of meta_study_qc, and why a later migration must not add a column to
-- meta_batch_qc either. TestFeaturesSurviveACrash replays every migration
-- from the log, and TestUpgradeFromVersion3SurvivesACrash this one alone on
-- a version-3 file. Tables are not rebuilt: DuckDB cannot change a primary
-- key in place, and dropping a table that has a foreign key is unsafe too
-- (see 003_features.sql).

ALTER TABLE meta_batch ADD COLUMN load_signature VARCHAR;

ALTER TABLE staging.load_batches ADD COLUMN load_signature VARCHAR;

ALTER TABLE meta_feature_state ADD COLUMN input_fingerprint VARCHAR;

CREATE TABLE meta_batch_qc (
    study_accession_code    VARCHAR NOT NULL,
    batch_id                VARCHAR NOT NULL,
    qc_status               VARCHAR NOT NULL CHECK (qc_status IN ('LOADED', 'REJECTED')),
    run_id                  VARCHAR,
    ks_statistic            DOUBLE,
    ks_pvalue               DOUBLE,
    ks_warning              VARCHAR,
    quantile_normalized     BOOLEAN,
    quant_sf_only           BOOLEAN,
    ks_statistic_recomputed DOUBLE,
    ks_pvalue_recomputed    DOUBLE,
    ks_worst_sample         VARCHAR,
    ks_rows_used            BIGINT,
    ks_sampled              BOOLEAN,
    gene_count              BIGINT,
    sample_count            BIGINT,
    cell_count              BIGINT,
    missing_cells           BIGINT,
    duplicate_genes         BIGINT,
    collected_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (study_accession_code, batch_id, qc_status),
    CHECK ((ks_rows_used IS NULL) = (ks_sampled IS NULL))
);

INSERT INTO meta_batch_qc (study_accession_code, batch_id, qc_status, ks_statistic, ks_pvalue, ks_warning,
    quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, collected_at)
SELECT st.study_accession_code, q.batch_id, 'LOADED', q.ks_statistic, q.ks_pvalue, q.ks_warning,
    q.quantile_normalized, q.quant_sf_only, q.ks_statistic_recomputed, q.ks_pvalue_recomputed, q.ks_worst_sample,
    q.gene_count, q.sample_count, q.cell_count, q.missing_cells, q.duplicate_genes, q.collected_at
FROM meta_study_qc q
JOIN dim_study st ON st.study_key = q.study_key
WHERE q.batch_id IS NOT NULL;
