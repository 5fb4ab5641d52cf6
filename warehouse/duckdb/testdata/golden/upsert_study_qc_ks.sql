INSERT INTO meta_study_qc_ks (study_key, batch_id, ks_rows_used, ks_sampled, collected_at)
SELECT study_key, $2, $3, $4, now()
FROM dim_study WHERE study_accession_code = $1
ON CONFLICT (study_key) DO UPDATE SET
    batch_id = excluded.batch_id,
    ks_rows_used = excluded.ks_rows_used,
    ks_sampled = excluded.ks_sampled,
    collected_at = excluded.collected_at
