-- The foreign keys are enforced: every fact row is written by one
-- INSERT … SELECT that joins these same dimensions, so checking them costs
-- a semi-join per small dimension per load, and it keeps anyone from
-- deleting a study, sample or gene that still has facts.
CREATE TABLE dbo.fact_gene_expression (
    study_key             INT NOT NULL,
    sample_key            INT NOT NULL,
    gene_key              INT NOT NULL,
    study_bucket          SMALLINT NOT NULL,
    -- NULL only when the missing-value policy keeps missing cells.
    expression_value      FLOAT NULL,
    expression_log2_value AS (CASE WHEN expression_value > 0 THEN LOG(expression_value, 2) END),
    is_significant        BIT NULL,
    batch_id              NVARCHAR(64) NOT NULL,
    etl_created_date      DATETIME2 NOT NULL CONSTRAINT df_fact_gene_expression_created DEFAULT SYSUTCDATETIME(),
    CONSTRAINT ck_fact_gene_expression_bucket CHECK (study_bucket = study_key % 32),
    CONSTRAINT fk_fact_gene_expression_study FOREIGN KEY (study_key) REFERENCES dbo.dim_study (study_key),
    CONSTRAINT fk_fact_gene_expression_sample FOREIGN KEY (sample_key) REFERENCES dbo.dim_sample (sample_key),
    CONSTRAINT fk_fact_gene_expression_gene FOREIGN KEY (gene_key) REFERENCES dbo.dim_gene (gene_key)
) ON ps_study_bucket (study_bucket);

CREATE CLUSTERED COLUMNSTORE INDEX cci_fact_gene_expression
    ON dbo.fact_gene_expression
    ON ps_study_bucket (study_bucket);

-- AUTO lets lock escalation stop at the partition, for a statement that
-- changes the rows of one bucket (a DBA deleting one study's facts). A
-- load's commit is not such a statement: its fact insert takes an exclusive
-- lock on the whole table, WITH (TABLOCK), until the commit ends (see the
-- insert and the README's "Isolation").
ALTER TABLE dbo.fact_gene_expression SET (LOCK_ESCALATION = AUTO);

CREATE TABLE dbo.fact_feature_values (
    feature_record_key BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_fact_feature_values PRIMARY KEY,
    entity_scope       NVARCHAR(20) NOT NULL CONSTRAINT ck_fact_feature_values_scope CHECK (entity_scope IN (N'GENE', N'GENE_PAIR', N'SAMPLE', N'STUDY_COHORT')),
    entity_id_1        BIGINT NOT NULL,
    entity_id_2        BIGINT NULL,
    feature_name       NVARCHAR(100) NOT NULL,
    feature_value      FLOAT NOT NULL,
    study_key          INT NOT NULL CONSTRAINT fk_fact_feature_values_study REFERENCES dbo.dim_study (study_key),
    batch_id           NVARCHAR(64) NOT NULL,
    etl_created_date   DATETIME2 NOT NULL CONSTRAINT df_fact_feature_values_created DEFAULT SYSUTCDATETIME()
);

-- Staging holds the loads in progress, each under its own load_key, so
-- concurrent loads never see each other's rows. Rows are bulk copied here
-- outside any transaction; a load's Commit publishes them to the facts and
-- deletes them in one transaction. A load whose process died leaves rows
-- that nothing publishes; the next load (or CleanStaging) removes them once
-- the dead load's session lock is gone (see README.md).
CREATE SEQUENCE staging.seq_load_key AS BIGINT START WITH 1 INCREMENT BY 1;

CREATE TABLE staging.loads (
    load_key   BIGINT NOT NULL CONSTRAINT pk_staging_loads PRIMARY KEY,
    run_id     NVARCHAR(64) NULL,
    file_name  NVARCHAR(1000) NULL,
    host_name  NVARCHAR(128) NULL CONSTRAINT df_staging_loads_host DEFAULT HOST_NAME(),
    started_at DATETIME2 NOT NULL CONSTRAINT df_staging_loads_started DEFAULT SYSUTCDATETIME()
);

CREATE TABLE staging.matrix_columns (
    load_key              BIGINT NOT NULL,
    column_no             INT NOT NULL,
    sample_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    study_accession_code  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_staging_matrix_columns PRIMARY KEY (load_key, column_no)
);

-- Keyed by line, not by gene: a gene id on two lines is a validation
-- finding the reader reports, and a staging key must never turn it into a
-- load crash.
CREATE TABLE staging.matrix_rows (
    load_key BIGINT NOT NULL,
    line_no  BIGINT NOT NULL,
    gene_id  NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_staging_matrix_rows PRIMARY KEY (load_key, line_no)
);

-- The cells: a clustered columnstore, so each bulk copy of 102,400 rows or
-- more lands directly in compressed rowgroups, and a load's reads skip the
-- rowgroups of other loads by the load_key segment bounds.
CREATE TABLE staging.expression_values (
    load_key         BIGINT NOT NULL,
    line_no          BIGINT NOT NULL,
    column_no        INT NOT NULL,
    expression_value FLOAT NULL,
    INDEX cci_staging_expression_values CLUSTERED COLUMNSTORE
);

CREATE TABLE staging.load_batches (
    load_key             BIGINT NOT NULL,
    study_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    batch_id             NVARCHAR(64) NOT NULL,
    file_name            NVARCHAR(1000) NULL,
    file_hash            NVARCHAR(64) NULL,
    -- Decided at Commit: new, replaced or duplicate.
    outcome              NVARCHAR(16) NULL,
    previous_batch_id    NVARCHAR(64) NULL,
    CONSTRAINT pk_staging_load_batches PRIMARY KEY (load_key, study_accession_code)
);

-- Dimension members as the load's UpsertDimensions calls gave them; Commit
-- merges the last one given (highest ordinal) for each business key.
CREATE TABLE staging.dim_platform (
    load_key               BIGINT NOT NULL,
    ordinal                INT NOT NULL,
    platform_accession     NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    platform_name          NVARCHAR(1000) NULL,
    manufacturer           NVARCHAR(200) NULL,
    measurement_technology NVARCHAR(50) NULL,
    CONSTRAINT pk_staging_dim_platform PRIMARY KEY (load_key, ordinal)
);

CREATE TABLE staging.dim_study (
    load_key               BIGINT NOT NULL,
    ordinal                INT NOT NULL,
    study_accession_code   NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    study_title            NVARCHAR(2000) NULL,
    study_pubmed_id        NVARCHAR(100) NULL,
    study_technology       NVARCHAR(50) NULL,
    study_organism         NVARCHAR(200) NULL,
    study_platform_summary NVARCHAR(2000) NULL,
    study_description      NVARCHAR(MAX) NULL,
    source_first_published DATETIME2 NULL,
    source_last_modified   DATETIME2 NULL,
    CONSTRAINT pk_staging_dim_study PRIMARY KEY (load_key, ordinal)
);

CREATE TABLE staging.dim_sample (
    load_key              BIGINT NOT NULL,
    ordinal               INT NOT NULL,
    sample_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sample_title          NVARCHAR(2000) NULL,
    sample_organism       NVARCHAR(200) NULL,
    platform_accession    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    sample_treatment      NVARCHAR(1000) NULL,
    sample_cell_line      NVARCHAR(1000) NULL,
    sample_tissue         NVARCHAR(1000) NULL,
    is_processed          BIT NULL,
    processor_name        NVARCHAR(200) NULL,
    processor_version     NVARCHAR(200) NULL,
    illness_label         NVARCHAR(20) NULL,
    illness_method        NVARCHAR(50) NULL,
    illness_rule          NVARCHAR(200) NULL,
    illness_field         NVARCHAR(200) NULL,
    illness_matched       NVARCHAR(1000) NULL,
    study_accession_code  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    exclude_from_analysis BIT NOT NULL,
    CONSTRAINT pk_staging_dim_sample PRIMARY KEY (load_key, ordinal)
);

-- One row per study batch ever committed; is_current marks the batch whose
-- facts the study holds now, and the filtered unique index makes "one
-- current batch per study" a rule the database enforces.
CREATE TABLE dbo.meta_batch (
    batch_id             NVARCHAR(64) NOT NULL CONSTRAINT pk_meta_batch PRIMARY KEY,
    study_key            INT NOT NULL CONSTRAINT fk_meta_batch_study REFERENCES dbo.dim_study (study_key),
    study_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    file_name            NVARCHAR(1000) NULL,
    file_hash            NVARCHAR(64) NOT NULL,
    run_id               NVARCHAR(64) NULL,
    rows_written         BIGINT NOT NULL,
    is_current           BIT NOT NULL,
    loaded_at            DATETIME2 NOT NULL,
    replaced_at          DATETIME2 NULL
);

CREATE UNIQUE INDEX ux_meta_batch_current_study ON dbo.meta_batch (study_key) WHERE is_current = 1;

CREATE TABLE dbo.meta_etl_process_log (
    log_id               NVARCHAR(64) NOT NULL CONSTRAINT pk_meta_etl_process_log PRIMARY KEY,
    run_id               NVARCHAR(64) NOT NULL,
    batch_id             NVARCHAR(64) NULL,
    study_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    step                 NVARCHAR(32) NOT NULL,
    status               NVARCHAR(16) NOT NULL,
    attempt              INT NOT NULL CONSTRAINT df_meta_etl_process_log_attempt DEFAULT 1,
    started_at           DATETIME2 NOT NULL,
    ended_at             DATETIME2 NULL,
    rows_read            BIGINT NULL,
    rows_written         BIGINT NULL,
    error_code           INT NULL,
    error_message        NVARCHAR(MAX) NULL,
    context_json         NVARCHAR(MAX) NULL
);

CREATE INDEX ix_meta_etl_process_log_started ON dbo.meta_etl_process_log (started_at DESC);

CREATE TABLE dbo.meta_data_validation_log (
    validation_key       BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_meta_data_validation_log PRIMARY KEY,
    run_id               NVARCHAR(64) NULL,
    batch_id             NVARCHAR(64) NULL,
    study_key            INT NULL,
    study_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    validation_code      INT NOT NULL,
    validation_name      NVARCHAR(100) NOT NULL,
    severity             NVARCHAR(16) NOT NULL,
    details              NVARCHAR(MAX) NULL,
    file_name            NVARCHAR(1000) NULL,
    line_no              BIGINT NULL,
    column_no            BIGINT NULL,
    created_at           DATETIME2 NOT NULL CONSTRAINT df_meta_data_validation_log_created DEFAULT SYSUTCDATETIME()
);

CREATE TABLE dbo.meta_study_qc (
    study_key               INT NOT NULL CONSTRAINT pk_meta_study_qc PRIMARY KEY
                                CONSTRAINT fk_meta_study_qc_study REFERENCES dbo.dim_study (study_key),
    batch_id                NVARCHAR(64) NULL,
    ks_statistic            FLOAT NULL,
    ks_pvalue               FLOAT NULL,
    ks_warning              NVARCHAR(1000) NULL,
    quantile_normalized     BIT NULL,
    quant_sf_only           BIT NULL,
    ks_statistic_recomputed FLOAT NULL,
    ks_pvalue_recomputed    FLOAT NULL,
    ks_worst_sample         NVARCHAR(100) NULL,
    gene_count              BIGINT NULL,
    sample_count            BIGINT NULL,
    cell_count              BIGINT NULL,
    missing_cells           BIGINT NULL,
    duplicate_genes         BIGINT NULL,
    collected_at            DATETIME2 NOT NULL CONSTRAINT df_meta_study_qc_collected DEFAULT SYSUTCDATETIME()
);
