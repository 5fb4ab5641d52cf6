INSERT INTO staging.loads (load_key, run_id, file_name) VALUES (@p1, @p2, @p3)
