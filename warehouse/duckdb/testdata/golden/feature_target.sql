SELECT st.study_key, b.batch_id, COALESCE(st.study_technology, ''), fs.batch_id, fs.top_genes, fs.rows_written, fs.value_scale,
    (SELECT COUNT(*) FROM fact_feature_values f WHERE f.study_key = st.study_key AND f.batch_id = b.batch_id)
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
LEFT JOIN meta_feature_state fs ON fs.study_key = st.study_key
WHERE st.study_accession_code = $1
