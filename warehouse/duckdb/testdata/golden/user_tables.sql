SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = current_database()
