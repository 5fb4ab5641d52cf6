-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.matrix_columns (load_key, column_no, sample_accession_code, study_accession_code) WITH (CHECK_CONSTRAINTS, KEEP_NULLS)
