INSERT INTO meta_batch_key (batch_id, batch_key)
SELECT l.batch_id, l.batch_key
FROM staging.load_batches l
WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
  AND NOT EXISTS (SELECT 1 FROM meta_batch_key k WHERE k.batch_id = l.batch_id)
