SELECT b.batch_id, COALESCE(st.study_technology, ''), fs.batch_id, fs.top_genes, fs.rows_written, fs.value_scale,
    (SELECT COUNT(*) FROM fact_feature_values f WHERE f.study_key = $1 AND f.batch_id = b.batch_id),
    COALESCE(fs.input_fingerprint, ''),
    md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''),
        (SELECT COALESCE(string_agg(s.sample_key || ':' || COALESCE(ss.illness_key, 0) || ':' || COALESCE(ss.exclude_from_analysis, false), ',' ORDER BY s.sample_key), '')
         FROM dim_sample s
         LEFT JOIN dim_study_sample ss ON ss.study_key = $1 AND ss.sample_key = s.sample_key
         WHERE s.sample_key IN (SELECT fe.sample_key FROM fact_gene_expression fe WHERE fe.study_key = $1))))
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
LEFT JOIN meta_feature_state fs ON fs.study_key = st.study_key
WHERE st.study_key = $1
