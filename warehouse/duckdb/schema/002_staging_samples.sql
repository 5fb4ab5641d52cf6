-- genexp warehouse, schema version 2 (DuckDB).
--
-- Samples are staged and upserted into dim_sample with one set-based
-- statement, instead of one upsert per sample. Like the other staging
-- tables it holds rows only inside a load's transaction.

CREATE TABLE staging.samples (
    load_key              BIGINT NOT NULL,
    sample_accession_code VARCHAR NOT NULL,
    sample_title          VARCHAR,
    sample_organism       VARCHAR,
    platform_accession    VARCHAR,
    study_accession_code  VARCHAR NOT NULL,
    sample_treatment      VARCHAR,
    sample_cell_line      VARCHAR,
    sample_tissue         VARCHAR,
    is_processed          BOOLEAN,
    processor_name        VARCHAR,
    processor_version     VARCHAR,
    illness_label         VARCHAR,
    illness_method        VARCHAR,
    illness_rule          VARCHAR,
    illness_field         VARCHAR,
    illness_matched       VARCHAR,
    exclude_from_analysis BOOLEAN NOT NULL
);
