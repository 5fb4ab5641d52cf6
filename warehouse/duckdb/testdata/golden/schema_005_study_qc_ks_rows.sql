-- genexp warehouse, schema version 5 (DuckDB): how much of the matrix the
-- recomputed Kolmogorov–Smirnov check read.
--
-- meta_study_qc_ks has one row per study beside meta_study_qc (same
-- study_key, same batch_id): ks_rows_used is the number of matrix rows the
-- check read; ks_sampled is true when they were a deterministic sample of
-- the matrix's rows (a matrix larger than processing.ks_max_cells), so that
-- meta_study_qc's ks_*_recomputed figures are not scipy's ks_2samp on the
-- whole matrix, and false when they are. A study without a row was loaded
-- before this version, or its check did not run.
--
-- It is a table of its own, not two columns added to meta_study_qc: DuckDB
-- 1.5 fails to replay an ALTER TABLE from its write-ahead log, so a crash
-- before the next checkpoint would leave a warehouse that never opens again
-- (TestFeaturesSurviveACrash replays every migration). For the same reason
-- it has no foreign key (see 003_features.sql); the load writes it in the
-- transaction that writes meta_study_qc.

CREATE TABLE meta_study_qc_ks (
    study_key    INTEGER PRIMARY KEY,
    batch_id     VARCHAR NOT NULL,
    ks_rows_used BIGINT NOT NULL,
    ks_sampled   BOOLEAN NOT NULL,
    collected_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
