SET GLOBAL checkpoint_threshold = '16.0 MiB';
SET GLOBAL auto_checkpoint_skip_wal_threshold = '100000'
