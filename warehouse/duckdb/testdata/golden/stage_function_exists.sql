SELECT COUNT(*) FROM duckdb_functions() WHERE function_name = 'genexp_stage_values'
