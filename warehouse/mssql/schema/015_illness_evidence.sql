-- genexp warehouse, schema version 15 (SQL Server 2022): a label's
-- evidence. The same change as the DuckDB backend's version 16.
--
-- A label a study's other samples or its text decided (a cohort rule)
-- rests on more than the matched text: the sample's own record may say
-- only "Patient 19, Day1". dim_study_sample.illness_evidence keeps what
-- the classifier rested on (illness.Decision.Evidence: the study text it
-- read, or the other sample and its decision), NULL where a sample's own
-- value decided; analytics.vw_sample_illness ends with it, the earlier
-- columns keeping their names and order. Memberships loaded before this
-- version have no evidence until their study is loaded again.
--
-- The evidence quotes study text of any length, so the columns are
-- NVARCHAR(MAX): a long quote must not fail the load. The columns are
-- added in a batch of their own: a batch that referred to them would be
-- compiled before they exist. A loader of an older genexp does not copy
-- the staged column (it stays NULL): stop older loaders before upgrading
-- (see the README).

ALTER TABLE staging.dim_sample ADD illness_evidence NVARCHAR(MAX) NULL;

ALTER TABLE dbo.dim_study_sample ADD illness_evidence NVARCHAR(MAX) NULL;
GO

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
GO
