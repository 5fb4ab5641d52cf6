-- genexp warehouse, schema version 13 (DuckDB): analytics.vw_sample_illness
-- says which samples a study excludes, and gives a sample no study holds
-- no label.
--
-- The view lists each study's samples with the label the study gave them.
-- Since version 12 a study may exclude a sample from analysis
-- (processing.exclude_samples): the expression views and the features
-- leave it out, while this view listed it with nothing to say so. It ends
-- with exclude_from_analysis, the study's flag (NULL for a sample no study
-- holds); the earlier columns keep their names and order.
--
-- A sample no study holds any more (a replaced batch dropped its column)
-- was listed with the label and reason its last load had given it in
-- dim_sample, as if some study still said so. It is listed once, without
-- a study, as UNKNOWN and with no reason: no study decides its label.

CREATE OR REPLACE VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched,
       COALESCE(ss.exclude_from_analysis, false) AS exclude_from_analysis
FROM dim_study_sample ss
JOIN dim_sample s ON s.sample_key = ss.sample_key
JOIN dim_study st ON st.study_key = ss.study_key
LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key
UNION ALL
SELECT NULL,
       s.sample_accession_code,
       s.sample_title,
       'UNKNOWN',
       NULL,
       NULL,
       NULL,
       NULL,
       NULL
FROM dim_sample s
WHERE NOT EXISTS (SELECT 1 FROM dim_study_sample ss WHERE ss.sample_key = s.sample_key);
