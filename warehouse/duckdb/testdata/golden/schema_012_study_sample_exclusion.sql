-- genexp warehouse, schema version 12 (DuckDB): a study's exclusions are
-- its own.
--
-- dim_sample.exclude_from_analysis said whether a sample is left out of
-- analysis, once per sample, and each load wrote it from its own
-- configuration (processing.exclude_samples). A sample two studies share
-- (a SuperSeries and its SubSeries) was then excluded or included again in
-- both by a load of either, and the other study's views changed while its
-- features, computed before, did not. As the illness label moved to
-- dim_study_sample in version 5, the exclusion moves beside it: each study
-- decides for its own samples, and loading one study leaves another's
-- views and features as they were. The sample's own flag is kept, as its
-- other columns of study_key and label are, meaning the latest load's.
--
-- Every membership takes its sample's flag as it stands, so the views and
-- the features' input are what they were (the features' fingerprints read
-- the same values, and nothing reads as stale). The column may be NULL
-- (DuckDB adds no NOT NULL column), read as false.
--
-- DuckDB 1.5.6 cannot replay from its write-ahead log an ADD COLUMN to a
-- table with a column whose default calls a function (etl_created_date's
-- current_timestamp), so this migration, like versions 7 and 11, is
-- committed by a checkpoint instead of the log (see migrate.go).

ALTER TABLE dim_study_sample ADD COLUMN exclude_from_analysis BOOLEAN DEFAULT false;

UPDATE dim_study_sample
SET exclude_from_analysis = s.exclude_from_analysis
FROM dim_sample s
WHERE s.sample_key = dim_study_sample.sample_key;

-- The views of version 8, reading the exclusion of the fact's study.

CREATE OR REPLACE VIEW analytics.vw_expression_long AS
SELECT s.sample_key,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       st.study_key,
       st.study_accession_code,
       st.study_title,
       g.gene_key,
       g.gene_id,
       g.gene_symbol,
       fe.expression_value,
       fe.expression_log2_value,
       k.batch_id,
       fe.etl_created_date,
       st.study_technology,
       fs.value_scale
FROM fact_gene_expression fe
JOIN meta_batch_key k ON k.batch_key = fe.batch_key
JOIN dim_sample s ON fe.sample_key = s.sample_key
JOIN dim_gene g ON fe.gene_key = g.gene_key
JOIN dim_study st ON fe.study_key = st.study_key
LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
LEFT JOIN dim_illness i ON ss.illness_key = i.illness_key
LEFT JOIN meta_feature_state fs ON fs.study_key = fe.study_key AND fs.batch_id = k.batch_id
WHERE NOT COALESCE(ss.exclude_from_analysis, false);

CREATE OR REPLACE VIEW analytics.vw_expression_by_cohort AS
SELECT c.study_accession_code,
       c.illness_label,
       c.gene_id,
       c.sample_count,
       c.mean_expression,
       c.std_expression,
       c.min_expression,
       c.max_expression,
       c.median_expression,
       st.study_technology,
       fs.value_scale
FROM (
    SELECT st.study_accession_code,
           COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
           g.gene_id,
           COUNT(DISTINCT fe.sample_key) AS sample_count,
           AVG(fe.expression_value) AS mean_expression,
           STDDEV_SAMP(fe.expression_value) AS std_expression,
           MIN(fe.expression_value) AS min_expression,
           MAX(fe.expression_value) AS max_expression,
           QUANTILE_CONT(fe.expression_value, 0.5) AS median_expression
    FROM fact_gene_expression fe
    JOIN dim_sample s ON fe.sample_key = s.sample_key
    JOIN dim_gene g ON fe.gene_key = g.gene_key
    JOIN dim_study st ON fe.study_key = st.study_key
    LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dim_illness i ON ss.illness_key = i.illness_key
    WHERE NOT COALESCE(ss.exclude_from_analysis, false)
      AND fe.expression_value IS NOT NULL
    GROUP BY st.study_accession_code, COALESCE(i.illness_label, 'UNKNOWN'), g.gene_id
) c
JOIN dim_study st ON st.study_accession_code = c.study_accession_code
LEFT JOIN (
    SELECT fs.study_key, fs.value_scale
    FROM meta_feature_state fs
    JOIN meta_batch b ON b.batch_id = fs.batch_id AND b.study_key = fs.study_key AND b.is_current
) fs ON fs.study_key = st.study_key;
