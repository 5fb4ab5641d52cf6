-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.load_batches (load_key, study_accession_code, batch_id, file_name, file_hash, load_signature) WITH (CHECK_CONSTRAINTS, KEEP_NULLS)
