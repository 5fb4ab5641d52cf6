SELECT count FROM duckdb_connection_count()
