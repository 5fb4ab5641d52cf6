-- genexp warehouse, schema version 6 (SQL Server 2022): a matrix column may
-- belong to several studies.
--
-- A SPECIES or ALL download holds each sample in one column of one matrix,
-- and its metadata lists the sample under every experiment that holds it
-- (a GEO SuperSeries and its SubSeries). The column is held by each of
-- those studies, as it is when each study's own matrix holds a copy: the
-- load stages it once per study, and each study's fact insert takes it.
-- staging.matrix_columns was keyed by load and column, one study per
-- column; it is keyed by load, column and study now. A live load's rows
-- satisfy the new key, so the change needs no quiet warehouse. DuckDB's
-- staging table has no key, and needs no change.

ALTER TABLE staging.matrix_columns DROP CONSTRAINT pk_staging_matrix_columns;
ALTER TABLE staging.matrix_columns ADD CONSTRAINT pk_staging_matrix_columns
    PRIMARY KEY (load_key, column_no, study_accession_code);
