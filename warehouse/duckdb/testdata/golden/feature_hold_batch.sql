UPDATE meta_batch SET loaded_at = loaded_at, is_current = is_current, replaced_at = replaced_at
WHERE batch_id = $1 AND is_current
