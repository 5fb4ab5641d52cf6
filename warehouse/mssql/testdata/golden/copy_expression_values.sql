-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.expression_values (load_key, line_no, column_no, expression_value) WITH (CHECK_CONSTRAINTS, KEEP_NULLS, ROWS_PER_BATCH = 1048576)
