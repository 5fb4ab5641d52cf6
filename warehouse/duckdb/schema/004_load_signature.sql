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
-- relabel by a duplicate load makes them stale.
--
-- meta_batch_qc holds the QC of every batch validation checked, keyed by
-- study accession and batch id, without a foreign key to dim_study: a
-- batch validation rejected writes no dimension row, and its QC figures are
-- kept all the same (qc_status REJECTED). meta_study_qc keeps the QC of
-- each study's loaded batch, as before. Columns are added to the existing
-- tables rather than tables rebuilt: DuckDB cannot change a primary key in
-- place, and dropping a table that has a foreign key is unsafe (see
-- 003_features.sql).

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
    gene_count              BIGINT,
    sample_count            BIGINT,
    cell_count              BIGINT,
    missing_cells           BIGINT,
    duplicate_genes         BIGINT,
    collected_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (study_accession_code, batch_id)
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
