SELECT is_read_committed_snapshot_on FROM sys.databases WHERE database_id = DB_ID()
