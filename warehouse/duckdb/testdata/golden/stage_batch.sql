INSERT INTO staging.load_batches (load_key, study_accession_code, batch_id, file_name, file_hash, load_signature)
VALUES ($1, $2, $3, $4, $5, $6)
