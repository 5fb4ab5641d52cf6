WITH held AS (
    SELECT DISTINCT study_key, sample_key FROM fact_gene_expression),
labels AS (
    SELECT h.study_key,
        string_agg(h.sample_key || ':' || COALESCE(ss.illness_key, 0) || ':' || COALESCE(ss.exclude_from_analysis, false), ',' ORDER BY h.sample_key) AS agg
    FROM held h
    LEFT JOIN dim_study_sample ss ON ss.study_key = h.study_key AND ss.sample_key = h.sample_key
    GROUP BY h.study_key),
features AS (
    SELECT study_key, batch_id, COUNT(*) AS n FROM fact_feature_values GROUP BY study_key, batch_id)
SELECT st.study_accession_code,
    b.batch_id, fs.batch_id, fs.top_genes, fs.rows_written,
    COALESCE((SELECT f.n FROM features f WHERE f.study_key = st.study_key AND f.batch_id = b.batch_id), 0),
    COALESCE(fs.input_fingerprint, ''),
    md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''), COALESCE(l.agg, '')))
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
LEFT JOIN meta_feature_state fs ON fs.study_key = st.study_key
LEFT JOIN labels l ON l.study_key = st.study_key
ORDER BY st.study_accession_code
