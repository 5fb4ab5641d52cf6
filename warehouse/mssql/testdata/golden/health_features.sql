SELECT st.study_key, st.study_accession_code,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.fact_feature_values AS f WHERE f.study_key = st.study_key) THEN 1 ELSE 0 END
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
ORDER BY st.study_accession_code
