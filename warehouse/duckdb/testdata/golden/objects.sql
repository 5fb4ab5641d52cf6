SELECT 'relation', schema_name, table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT 'relation', schema_name, view_name FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
UNION ALL
SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences()
WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT DISTINCT 'function', schema_name, function_name FROM duckdb_functions()
WHERE database_name = current_database() AND NOT internal AND function_type IN ('macro', 'table_macro')
UNION ALL
SELECT 'type', schema_name, type_name FROM duckdb_types()
WHERE database_name = current_database() AND NOT internal
ORDER BY 2, 3
