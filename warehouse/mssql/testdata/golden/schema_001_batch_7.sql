CREATE OR ALTER VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       s.illness_method,
       s.illness_rule,
       s.illness_field,
       s.illness_matched
FROM dbo.dim_sample AS s
LEFT JOIN dbo.dim_study AS st ON s.study_key = st.study_key
LEFT JOIN dbo.dim_illness AS i ON s.illness_key = i.illness_key;
