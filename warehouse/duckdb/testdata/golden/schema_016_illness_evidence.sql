-- genexp warehouse, schema version 16 (DuckDB): a label's evidence.
--
-- A label a study's other samples or its text decided (a cohort rule: the
-- cohort's one illness arm, the same patient's other sample, the study's
-- text naming its patients, a code the study defines) rests on more than
-- the matched text: the sample's own record may say only "Patient 19,
-- Day1". The classifier says what it rested on (illness.Decision.Evidence:
-- the study text it read, or the other sample and its decision), and
-- dim_study_sample.illness_evidence now keeps it, beside the method, rule,
-- field and matched text, so SQL explains such a label as the classifier
-- does. It is NULL where a sample's own value decided.
--
-- analytics.vw_sample_illness ends with illness_evidence; the earlier
-- columns keep their names and order. Memberships loaded before this
-- version have no evidence until their study is loaded again (a duplicate
-- load of the same content records it too).
--
-- The ADD COLUMN to dim_study_sample, a table with a column whose default
-- calls a function, is committed by a checkpoint, as version 12's was (see
-- migrate.go).

ALTER TABLE staging.samples ADD COLUMN illness_evidence VARCHAR;

ALTER TABLE dim_study_sample ADD COLUMN illness_evidence VARCHAR;

CREATE OR REPLACE VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched,
       COALESCE(ss.exclude_from_analysis, false) AS exclude_from_analysis,
       ss.illness_evidence
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
       NULL,
       NULL
FROM dim_sample s
WHERE NOT EXISTS (SELECT 1 FROM dim_study_sample ss WHERE ss.sample_key = s.sample_key);
