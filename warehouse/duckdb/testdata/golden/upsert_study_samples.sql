INSERT INTO dim_study_sample (study_key, sample_key, illness_key, illness_method, illness_rule,
    illness_field, illness_matched, illness_evidence, exclude_from_analysis)
SELECT st.study_key, s.sample_key, i.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched,
    t.illness_evidence, t.exclude_from_analysis
FROM staging.samples t
JOIN dim_sample s ON s.sample_accession_code = t.sample_accession_code
JOIN dim_study st ON st.study_accession_code = t.study_accession_code
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
WHERE t.load_key = $1
  AND NOT (t.sample_accession_code IN (SELECT unnest($2::VARCHAR[])) AND EXISTS (
    SELECT 1 FROM dim_study_sample m WHERE m.study_key = st.study_key AND m.sample_key = s.sample_key
      AND m.illness_method IS DISTINCT FROM 'override'))
ON CONFLICT (study_key, sample_key) DO UPDATE SET
    illness_key = excluded.illness_key,
    illness_method = excluded.illness_method,
    illness_rule = excluded.illness_rule,
    illness_field = excluded.illness_field,
    illness_matched = excluded.illness_matched,
    illness_evidence = excluded.illness_evidence,
    exclude_from_analysis = excluded.exclude_from_analysis,
    etl_updated_date = now()
WHERE dim_study_sample.illness_key IS DISTINCT FROM excluded.illness_key
   OR dim_study_sample.illness_method IS DISTINCT FROM excluded.illness_method
   OR dim_study_sample.illness_rule IS DISTINCT FROM excluded.illness_rule
   OR dim_study_sample.illness_field IS DISTINCT FROM excluded.illness_field
   OR dim_study_sample.illness_matched IS DISTINCT FROM excluded.illness_matched
   OR dim_study_sample.illness_evidence IS DISTINCT FROM excluded.illness_evidence
   OR dim_study_sample.exclude_from_analysis IS DISTINCT FROM excluded.exclude_from_analysis
