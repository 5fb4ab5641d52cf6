UPDATE meta_batch SET is_current = false, replaced_at = now()
WHERE is_current AND study_accession_code IN (
    SELECT study_accession_code FROM staging.load_batches
    WHERE load_key = $1 AND list_contains($2::VARCHAR[], batch_id))
