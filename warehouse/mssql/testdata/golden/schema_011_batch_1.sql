-- genexp warehouse, schema version 11 (SQL Server 2022): a study's
-- exclusions are its own. The same change as the DuckDB backend's version
-- 12.
--
-- dim_sample.exclude_from_analysis said whether a sample is left out of
-- analysis, once per sample, and each load wrote it from its own
-- configuration (processing.exclude_samples). A sample two studies share
-- was then excluded or included again in both by a load of either. As the
-- illness label moved to dim_study_sample in version 4, the exclusion moves
-- beside it: each study decides for its own samples. The sample's own flag
-- is kept, meaning the latest load's. Every membership takes its sample's
-- flag as it stands, so the views and the features' input are what they
-- were.
--
-- The column is added in a batch of its own: a batch that referred to it
-- would be compiled before it exists.

ALTER TABLE dbo.dim_study_sample ADD exclude_from_analysis BIT NOT NULL
    CONSTRAINT df_dim_study_sample_exclude DEFAULT 0;
