CREATE OR ALTER VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched,
       ss.exclude_from_analysis,
       ss.illness_evidence
FROM dbo.dim_study_sample AS ss
JOIN dbo.dim_sample AS s ON s.sample_key = ss.sample_key
JOIN dbo.dim_study AS st ON st.study_key = ss.study_key
LEFT JOIN dbo.dim_illness AS i ON i.illness_key = ss.illness_key
UNION ALL
SELECT NULL,
       s.sample_accession_code,
       s.sample_title,
       N'UNKNOWN',
       NULL,
       NULL,
       NULL,
       NULL,
       NULL,
       NULL
FROM dbo.dim_sample AS s
WHERE NOT EXISTS (SELECT 1 FROM dbo.dim_study_sample AS ss WHERE ss.sample_key = s.sample_key);
