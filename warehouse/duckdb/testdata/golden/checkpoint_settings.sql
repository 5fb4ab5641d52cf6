SELECT current_setting('checkpoint_threshold')::VARCHAR,
       current_setting('auto_checkpoint_skip_wal_threshold')::VARCHAR
