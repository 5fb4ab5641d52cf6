UPDATE dim_study_sample
SET exclude_from_analysis = t.exclude_from_analysis, etl_updated_date = now()
FROM staging.samples t, dim_sample s, dim_study st
WHERE t.load_key = $1
  AND t.sample_accession_code IN (SELECT unnest($2::VARCHAR[]))
  AND s.sample_accession_code = t.sample_accession_code
  AND st.study_accession_code = t.study_accession_code
  AND dim_study_sample.study_key = st.study_key
  AND dim_study_sample.sample_key = s.sample_key
  AND dim_study_sample.exclude_from_analysis IS DISTINCT FROM t.exclude_from_analysis
