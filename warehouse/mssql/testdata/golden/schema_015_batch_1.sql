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
