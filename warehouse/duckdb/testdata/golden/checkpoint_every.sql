SET GLOBAL checkpoint_threshold = '0b';
SET GLOBAL auto_checkpoint_skip_wal_threshold = 0
