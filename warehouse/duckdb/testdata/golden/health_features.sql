SELECT st.study_key, st.study_accession_code,
    EXISTS (SELECT 1 FROM fact_feature_values f WHERE f.study_key = st.study_key)
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
ORDER BY st.study_accession_code
