INSERT INTO staging.load_batches (load_key, study_accession_code, batch_id, file_name, file_hash, load_signature, scale_by, batch_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE((SELECT batch_key FROM meta_batch_key WHERE batch_id = $3), nextval('seq_batch_key')))
