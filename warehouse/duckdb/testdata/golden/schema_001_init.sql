-- genexp warehouse, schema version 1 (DuckDB).
--
-- The star schema of the architecture document, section 2, with its known
-- defects fixed: tables are created parents first; the fact has no surrogate
-- key (a columnstore fact is read by its dimensions, and its natural key
-- (study, sample, gene) is unique by construction); the process log has a
-- key; staging is normalized so a duplicated gene row is a validation
-- finding, not a load crash.

CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS analytics;

CREATE SEQUENCE IF NOT EXISTS seq_study_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_sample_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_gene_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_platform_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_load_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_validation_key START 1;
CREATE SEQUENCE IF NOT EXISTS seq_feature_record_key START 1;

CREATE TABLE dim_illness (
    illness_key        INTEGER PRIMARY KEY,
    illness_label      VARCHAR NOT NULL UNIQUE,
    illness_definition VARCHAR
);

INSERT INTO dim_illness (illness_key, illness_label, illness_definition) VALUES
    (1, 'CONTROL', 'Healthy control samples'),
    (2, 'NO_SEPSIS', 'Samples from patients without sepsis (SIRS, post-surgical, non-infectious critical illness)'),
    (3, 'SEPSIS', 'Sepsis patients (including severe sepsis)'),
    (4, 'SEPTIC_SHOCK', 'Septic shock patients'),
    (5, 'UNKNOWN', 'Illness status unknown');

CREATE TABLE dim_platform (
    platform_key           INTEGER PRIMARY KEY DEFAULT nextval('seq_platform_key'),
    platform_accession     VARCHAR NOT NULL UNIQUE,
    platform_name          VARCHAR,
    manufacturer           VARCHAR,
    measurement_technology VARCHAR,
    etl_created_date       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    etl_updated_date       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE dim_study (
    study_key              INTEGER PRIMARY KEY DEFAULT nextval('seq_study_key'),
    study_accession_code   VARCHAR NOT NULL UNIQUE,
    study_title            VARCHAR,
    study_pubmed_id        VARCHAR,
    study_technology       VARCHAR,
    study_organism         VARCHAR,
    study_platform_summary VARCHAR,
    study_description      VARCHAR,
    source_first_published TIMESTAMP,
    source_last_modified   TIMESTAMP,
    etl_created_date       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    etl_updated_date       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE dim_gene (
    gene_key         INTEGER PRIMARY KEY DEFAULT nextval('seq_gene_key'),
    gene_id          VARCHAR NOT NULL UNIQUE,
    gene_symbol      VARCHAR,
    gene_name        VARCHAR,
    gene_type        VARCHAR,
    chromosome       VARCHAR,
    start_position   BIGINT,
    end_position     BIGINT,
    etl_created_date TIMESTAMP NOT NULL DEFAULT current_timestamp,
    etl_updated_date TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE dim_sample (
    sample_key            INTEGER PRIMARY KEY DEFAULT nextval('seq_sample_key'),
    sample_accession_code VARCHAR NOT NULL UNIQUE,
    sample_title          VARCHAR,
    sample_organism       VARCHAR,
    sample_platform       VARCHAR,
    sample_treatment      VARCHAR,
    sample_cell_line      VARCHAR,
    sample_tissue         VARCHAR,
    is_processed          BOOLEAN,
    processor_name        VARCHAR,
    processor_version     VARCHAR,
    illness_key           INTEGER REFERENCES dim_illness (illness_key),
    -- How the illness label was decided: override, rule or default, and
    -- for a rule its name, the field it read and the text it matched.
    illness_method        VARCHAR,
    illness_rule          VARCHAR,
    illness_field         VARCHAR,
    illness_matched       VARCHAR,
    platform_key          INTEGER REFERENCES dim_platform (platform_key),
    study_key             INTEGER REFERENCES dim_study (study_key),
    exclude_from_analysis BOOLEAN NOT NULL DEFAULT false,
    etl_created_date      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    etl_updated_date      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE fact_gene_expression (
    study_key             INTEGER NOT NULL,
    sample_key            INTEGER NOT NULL,
    gene_key              INTEGER NOT NULL,
    -- NULL only when the missing-value policy keeps missing cells.
    expression_value      DOUBLE,
    expression_log2_value DOUBLE GENERATED ALWAYS AS (CASE WHEN expression_value > 0 THEN log2(expression_value) END) VIRTUAL,
    is_significant        BOOLEAN,
    batch_id              VARCHAR NOT NULL,
    etl_created_date      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE fact_feature_values (
    feature_record_key BIGINT PRIMARY KEY DEFAULT nextval('seq_feature_record_key'),
    entity_scope       VARCHAR NOT NULL CHECK (entity_scope IN ('GENE', 'GENE_PAIR', 'SAMPLE', 'STUDY_COHORT')),
    entity_id_1        BIGINT NOT NULL,
    entity_id_2        BIGINT,
    feature_name       VARCHAR NOT NULL,
    feature_value      DOUBLE NOT NULL,
    study_key          INTEGER NOT NULL REFERENCES dim_study (study_key),
    batch_id           VARCHAR NOT NULL,
    etl_created_date   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Staging holds one load (one matrix file) while it is written. Rows live
-- only inside the load's transaction: a load that fails or is killed leaves
-- none behind.
CREATE TABLE staging.matrix_columns (
    load_key              BIGINT NOT NULL,
    column_no             INTEGER NOT NULL,
    sample_accession_code VARCHAR NOT NULL,
    study_accession_code  VARCHAR NOT NULL
);

CREATE TABLE staging.matrix_rows (
    load_key BIGINT NOT NULL,
    line_no  BIGINT NOT NULL,
    gene_id  VARCHAR NOT NULL
);

CREATE TABLE staging.expression_values (
    load_key         BIGINT NOT NULL,
    line_no          BIGINT NOT NULL,
    column_no        INTEGER NOT NULL,
    expression_value DOUBLE
);

CREATE TABLE staging.load_batches (
    load_key             BIGINT NOT NULL,
    study_accession_code VARCHAR NOT NULL,
    batch_id             VARCHAR NOT NULL,
    file_name            VARCHAR,
    file_hash            VARCHAR
);

-- The architecture's staging.expression_rows, as a view over the
-- normalized staging tables.
CREATE VIEW staging.expression_rows AS
SELECT c.study_accession_code,
       b.batch_id,
       r.gene_id,
       c.sample_accession_code,
       v.expression_value,
       v.line_no,
       v.column_no,
       b.file_name,
       b.file_hash,
       v.load_key
FROM staging.expression_values v
JOIN staging.matrix_rows r ON r.load_key = v.load_key AND r.line_no = v.line_no
JOIN staging.matrix_columns c ON c.load_key = v.load_key AND c.column_no = v.column_no
LEFT JOIN staging.load_batches b ON b.load_key = v.load_key AND b.study_accession_code = c.study_accession_code;

-- One row per study batch ever committed; is_current marks the batch whose
-- facts the study holds now.
CREATE TABLE meta_batch (
    batch_id             VARCHAR PRIMARY KEY,
    study_key            INTEGER NOT NULL REFERENCES dim_study (study_key),
    study_accession_code VARCHAR NOT NULL,
    file_name            VARCHAR,
    file_hash            VARCHAR NOT NULL,
    run_id               VARCHAR,
    rows_written         BIGINT NOT NULL,
    is_current           BOOLEAN NOT NULL,
    loaded_at            TIMESTAMP NOT NULL,
    replaced_at          TIMESTAMP
);

CREATE TABLE meta_etl_process_log (
    log_id               VARCHAR PRIMARY KEY,
    run_id               VARCHAR NOT NULL,
    batch_id             VARCHAR,
    study_accession_code VARCHAR,
    step                 VARCHAR NOT NULL,
    status               VARCHAR NOT NULL,
    attempt              INTEGER NOT NULL DEFAULT 1,
    started_at           TIMESTAMP NOT NULL,
    ended_at             TIMESTAMP,
    rows_read            BIGINT,
    rows_written         BIGINT,
    error_code           INTEGER,
    error_message        VARCHAR,
    context_json         VARCHAR
);

CREATE TABLE meta_data_validation_log (
    validation_key       BIGINT PRIMARY KEY DEFAULT nextval('seq_validation_key'),
    run_id               VARCHAR,
    batch_id             VARCHAR,
    study_key            INTEGER,
    study_accession_code VARCHAR,
    validation_code      INTEGER NOT NULL,
    validation_name      VARCHAR NOT NULL,
    severity             VARCHAR NOT NULL,
    details              VARCHAR,
    file_name            VARCHAR,
    line_no              BIGINT,
    column_no            BIGINT,
    created_at           TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE meta_study_qc (
    study_key               INTEGER PRIMARY KEY REFERENCES dim_study (study_key),
    batch_id                VARCHAR,
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
    collected_at            TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE VIEW analytics.vw_expression_long AS
SELECT s.sample_key,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       st.study_key,
       st.study_accession_code,
       st.study_title,
       g.gene_key,
       g.gene_id,
       g.gene_symbol,
       fe.expression_value,
       fe.expression_log2_value,
       fe.batch_id,
       fe.etl_created_date
FROM fact_gene_expression fe
JOIN dim_sample s ON fe.sample_key = s.sample_key
JOIN dim_gene g ON fe.gene_key = g.gene_key
JOIN dim_study st ON fe.study_key = st.study_key
LEFT JOIN dim_illness i ON s.illness_key = i.illness_key
WHERE NOT s.exclude_from_analysis;

CREATE VIEW analytics.vw_expression_by_cohort AS
SELECT st.study_accession_code,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       g.gene_id,
       COUNT(DISTINCT fe.sample_key) AS sample_count,
       AVG(fe.expression_value) AS mean_expression,
       STDDEV_SAMP(fe.expression_value) AS std_expression,
       MIN(fe.expression_value) AS min_expression,
       MAX(fe.expression_value) AS max_expression,
       QUANTILE_CONT(fe.expression_value, 0.5) AS median_expression
FROM fact_gene_expression fe
JOIN dim_sample s ON fe.sample_key = s.sample_key
JOIN dim_gene g ON fe.gene_key = g.gene_key
JOIN dim_study st ON fe.study_key = st.study_key
LEFT JOIN dim_illness i ON s.illness_key = i.illness_key
WHERE NOT s.exclude_from_analysis
  AND fe.expression_value IS NOT NULL
GROUP BY st.study_accession_code, COALESCE(i.illness_label, 'UNKNOWN'), g.gene_id;

CREATE VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       s.illness_method,
       s.illness_rule,
       s.illness_field,
       s.illness_matched
FROM dim_sample s
LEFT JOIN dim_study st ON s.study_key = st.study_key
LEFT JOIN dim_illness i ON s.illness_key = i.illness_key;
