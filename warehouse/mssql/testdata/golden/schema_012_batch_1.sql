-- genexp warehouse, schema version 12 (SQL Server 2022):
-- analytics.vw_sample_illness says which samples a study excludes, and
-- gives a sample no study holds no label. The same change as the DuckDB
-- backend's version 13.
--
-- The view ends with exclude_from_analysis, the study's flag (version 11;
-- NULL for a sample no study holds); the earlier columns keep their names
-- and order. A sample no study holds any more (a replaced batch dropped its
-- column) was listed with the label its last load had given it in
-- dim_sample; it is listed once, without a study, as UNKNOWN and with no
-- reason.

CREATE OR ALTER VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched,
       ss.exclude_from_analysis
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
       NULL
FROM dbo.dim_sample AS s
WHERE NOT EXISTS (SELECT 1 FROM dbo.dim_study_sample AS ss WHERE ss.sample_key = s.sample_key);
