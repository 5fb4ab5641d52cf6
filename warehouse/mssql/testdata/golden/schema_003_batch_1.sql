-- genexp warehouse, schema version 3 (SQL Server 2022): load signatures,
-- feature input fingerprints, and the QC of every validated batch. The
-- same change as the DuckDB backend's version 4.
--
-- meta_batch.load_signature identifies which fact rows a load of the batch
-- holds (warehouse.LoadSignature). A load is a duplicate only when both its
-- batch id and its signature match the current batch; otherwise it
-- replaces the study's facts, and the batch row (keyed by batch id) is
-- updated in place, which pk_meta_batch and ux_meta_batch_current_study
-- allow: the row is retired, then made current again, in one transaction.
-- Batches loaded before this version have no signature: their next load
-- replaces them once.
--
-- meta_feature_state.input_fingerprint records what the features were
-- computed from beside the batch (the signature, the technology, each
-- sample's label and exclusion), so a relabel makes them stale. A NULL
-- fingerprint marks features computed before this version, or whose facts
-- a load replaced under the batch id they carry (that load removes them).
--
-- meta_batch_qc is the QC history: one row per batch and outcome of its
-- validation, keyed by study accession, batch id and qc_status, so that a
-- LOADED and a REJECTED validation of the same content are two rows, and a
-- stricter run that rejects the content a study holds does not relabel the
-- row of its load. A batch validated again with the same outcome updates
-- its row. It has no foreign key to dim_study: a rejected batch writes no
-- dimension row and keeps its QC all the same. ks_rows_used is the number
-- of matrix rows the recomputed Kolmogorov–Smirnov check read and
-- ks_sampled whether they were a deterministic sample of the matrix's rows
-- (a matrix larger than processing.ks_max_cells), so that the
-- ks_*_recomputed figures are not scipy's ks_2samp on the whole matrix;
-- both are NULL when the check did not run. meta_study_qc keeps the QC of
-- each study's loaded batch, as before; the rows it holds are copied here
-- as LOADED (which reads meta_study_qc and dim_study and writes
-- meta_batch_qc: data access the schema owner has, see the README).

ALTER TABLE dbo.meta_batch ADD load_signature NVARCHAR(64) NULL;

ALTER TABLE staging.load_batches ADD load_signature NVARCHAR(64) NULL;

ALTER TABLE dbo.meta_feature_state ADD input_fingerprint NVARCHAR(64) NULL;

CREATE TABLE dbo.meta_batch_qc (
    study_accession_code    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    batch_id                NVARCHAR(64) NOT NULL,
    qc_status               NVARCHAR(16) NOT NULL CONSTRAINT ck_meta_batch_qc_status CHECK (qc_status IN (N'LOADED', N'REJECTED')),
    run_id                  NVARCHAR(64) NULL,
    ks_statistic            FLOAT NULL,
    ks_pvalue               FLOAT NULL,
    ks_warning              NVARCHAR(1000) NULL,
    quantile_normalized     BIT NULL,
    quant_sf_only           BIT NULL,
    ks_statistic_recomputed FLOAT NULL,
    ks_pvalue_recomputed    FLOAT NULL,
    ks_worst_sample         NVARCHAR(100) NULL,
    ks_rows_used            BIGINT NULL,
    ks_sampled              BIT NULL,
    gene_count              BIGINT NULL,
    sample_count            BIGINT NULL,
    cell_count              BIGINT NULL,
    missing_cells           BIGINT NULL,
    duplicate_genes         BIGINT NULL,
    collected_at            DATETIME2 NOT NULL CONSTRAINT df_meta_batch_qc_collected DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_meta_batch_qc PRIMARY KEY (study_accession_code, batch_id, qc_status),
    CONSTRAINT ck_meta_batch_qc_ks_rows CHECK ((ks_rows_used IS NULL AND ks_sampled IS NULL)
        OR (ks_rows_used IS NOT NULL AND ks_sampled IS NOT NULL))
);
