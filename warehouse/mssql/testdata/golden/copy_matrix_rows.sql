-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.matrix_rows (load_key, line_no, gene_id) WITH (CHECK_CONSTRAINTS, KEEP_NULLS)
