INSERT INTO meta_feature_state (study_key, batch_id, value_scale, top_genes, rows_written, run_id, computed_at, input_fingerprint)
VALUES ($1, $2, $3, $4, $5, $6, now(), $7)
ON CONFLICT (study_key) DO UPDATE SET
    input_fingerprint = excluded.input_fingerprint,
    batch_id = excluded.batch_id,
    value_scale = excluded.value_scale,
    top_genes = excluded.top_genes,
    rows_written = excluded.rows_written,
    run_id = excluded.run_id,
    computed_at = excluded.computed_at
