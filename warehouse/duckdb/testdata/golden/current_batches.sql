SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, '')
FROM meta_batch b
JOIN staging.load_batches l ON l.study_accession_code = b.study_accession_code
WHERE l.load_key = $1 AND b.is_current
