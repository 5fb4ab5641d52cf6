SELECT DISTINCT run_id FROM meta_etl_process_log WHERE status = 'RUNNING' ORDER BY run_id
