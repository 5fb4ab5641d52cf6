SELECT st.study_key, b.batch_id, COALESCE(st.study_technology, N''), fs.batch_id, fs.top_genes, fs.rows_written,
    fs.value_scale,
    (SELECT COUNT_BIG(*) FROM dbo.fact_feature_values AS f WHERE f.study_key = st.study_key AND f.batch_id = b.batch_id),
    COALESCE(fs.input_fingerprint, N'')
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
LEFT JOIN dbo.meta_feature_state AS fs ON fs.study_key = st.study_key
WHERE st.study_accession_code = @p1
