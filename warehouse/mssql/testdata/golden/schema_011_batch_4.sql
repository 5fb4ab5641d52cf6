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
