-- genexp warehouse, schema version 4 (SQL Server 2022): how much of the
-- matrix the recomputed Kolmogorov–Smirnov check read, in the same table
-- as the DuckDB backend's version 5 (which cannot add columns to
-- meta_study_qc safely; one shape serves both backends' queries).
--
-- meta_study_qc_ks has one row per study beside meta_study_qc (same
-- study_key, same batch_id): ks_rows_used is the number of matrix rows the
-- check read; ks_sampled is 1 when they were a deterministic sample of the
-- matrix's rows (a matrix larger than processing.ks_max_cells), so that
-- meta_study_qc's ks_*_recomputed figures are not scipy's ks_2samp on the
-- whole matrix, and 0 when they are. A study without a row was loaded
-- before this version, or its check did not run.

CREATE TABLE dbo.meta_study_qc_ks (
    study_key    INT NOT NULL CONSTRAINT pk_meta_study_qc_ks PRIMARY KEY
                 CONSTRAINT fk_meta_study_qc_ks_study REFERENCES dbo.dim_study (study_key),
    batch_id     NVARCHAR(64) NOT NULL,
    ks_rows_used BIGINT NOT NULL,
    ks_sampled   BIT NOT NULL,
    collected_at DATETIME2(3) NOT NULL CONSTRAINT df_meta_study_qc_ks_collected DEFAULT SYSUTCDATETIME()
);
