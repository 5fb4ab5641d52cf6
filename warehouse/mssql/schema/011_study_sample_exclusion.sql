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
GO

UPDATE ss
SET exclude_from_analysis = s.exclude_from_analysis
FROM dbo.dim_study_sample AS ss
JOIN dbo.dim_sample AS s ON s.sample_key = ss.sample_key
WHERE ss.exclude_from_analysis <> s.exclude_from_analysis;
GO

-- The views of version 7, reading the exclusion of the fact's study.

CREATE OR ALTER VIEW analytics.vw_expression_long AS
SELECT s.sample_key,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       st.study_key,
       st.study_accession_code,
       st.study_title,
       g.gene_key,
       g.gene_id,
       g.gene_symbol,
       fe.expression_value,
       fe.expression_log2_value,
       fe.batch_id,
       fe.etl_created_date,
       st.study_technology,
       fs.value_scale
FROM dbo.fact_gene_expression AS fe
JOIN dbo.dim_sample AS s ON fe.sample_key = s.sample_key
JOIN dbo.dim_gene AS g ON fe.gene_key = g.gene_key
JOIN dbo.dim_study AS st ON fe.study_key = st.study_key
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
LEFT JOIN dbo.dim_illness AS i ON ss.illness_key = i.illness_key
LEFT JOIN dbo.meta_feature_state AS fs ON fs.study_key = fe.study_key AND fs.batch_id = fe.batch_id
WHERE ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0;
GO

CREATE OR ALTER VIEW analytics.vw_expression_by_cohort AS
SELECT c.study_accession_code,
       c.illness_label,
       c.gene_id,
       COUNT(DISTINCT c.sample_key) AS sample_count,
       AVG(c.expression_value) AS mean_expression,
       STDEV(c.expression_value) AS std_expression,
       MIN(c.expression_value) AS min_expression,
       MAX(c.expression_value) AS max_expression,
       MAX(c.median_expression) AS median_expression,
       c.study_technology,
       c.value_scale
FROM (
    SELECT st.study_accession_code,
           COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
           g.gene_id,
           fe.sample_key,
           fe.expression_value,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY fe.expression_value)
               OVER (PARTITION BY st.study_accession_code, COALESCE(i.illness_label, N'UNKNOWN'), g.gene_id,
                     st.study_technology, fs.value_scale) AS median_expression,
           st.study_technology,
           fs.value_scale
    FROM dbo.fact_gene_expression AS fe
    JOIN dbo.dim_sample AS s ON fe.sample_key = s.sample_key
    JOIN dbo.dim_gene AS g ON fe.gene_key = g.gene_key
    JOIN dbo.dim_study AS st ON fe.study_key = st.study_key
    LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_illness AS i ON ss.illness_key = i.illness_key
    LEFT JOIN dbo.meta_feature_state AS fs ON fs.study_key = fe.study_key AND fs.batch_id = fe.batch_id
    WHERE (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)
      AND fe.expression_value IS NOT NULL
) AS c
GROUP BY c.study_accession_code, c.illness_label, c.gene_id, c.study_technology, c.value_scale;
GO
