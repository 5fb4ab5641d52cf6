-- genexp warehouse, schema version 7 (SQL Server 2022): the analytics views
-- say which scale a study's values are on. The same change as the DuckDB
-- backend's version 8 makes to these views.
--
-- A study's stored values are on its technology's scale (the RNA-seq
-- download SRP110235 holds 0 to 937,478, the microarray download GSE71270
-- -0.50 to 4.98), and its features on the analysis scale
-- warehouse.FeatureScale chose for it: meta_feature_state.value_scale,
-- 'value' (y = expression_value) or 'log2(value+1)'. Nothing in the views
-- said so, and an aggregate across studies pooled the two.
-- vw_expression_long, vw_expression_by_cohort and vw_feature_values end
-- with two more columns: study_technology (dim_study; NULL when the
-- metadata does not say) and value_scale, the scale of the features
-- computed from the row's batch, NULL until the study's features of its
-- current batch are computed. The earlier columns keep their names, order
-- and definitions. The views read meta_feature_state as the table's owner,
-- like the rest (ownership chaining): readers need no new grant.

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
WHERE s.exclude_from_analysis = 0;
GO

-- The technology and the scale are the study's: grouping by them splits no
-- cohort, and partitioning the median's window by them too changes no
-- window, while it lets a filter on them reach below the window, as one
-- on the study does.
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
    WHERE s.exclude_from_analysis = 0
      AND fe.expression_value IS NOT NULL
) AS c
GROUP BY c.study_accession_code, c.illness_label, c.gene_id, c.study_technology, c.value_scale;
GO

CREATE OR ALTER VIEW analytics.vw_feature_values AS
SELECT f.feature_record_key,
       f.feature_name,
       f.entity_scope,
       st.study_key,
       st.study_accession_code,
       f.entity_id_1,
       f.entity_id_2,
       g1.gene_id,
       g1.gene_symbol,
       g2.gene_id AS gene_id_2,
       g2.gene_symbol AS gene_symbol_2,
       s.sample_accession_code,
       CASE
           WHEN c.entity_id_1_ref = N'dim_illness.illness_key' OR c.entity_id_2_ref = N'dim_illness.illness_key' THEN i.illness_label
           WHEN s.sample_key IS NOT NULL THEN COALESCE(si.illness_label, N'UNKNOWN')
       END AS illness_label,
       f.feature_value,
       f.batch_id,
       f.etl_created_date,
       st.study_technology,
       fs.value_scale
FROM dbo.fact_feature_values AS f
JOIN dbo.meta_feature_catalog AS c ON c.feature_name = f.feature_name
JOIN dbo.dim_study AS st ON st.study_key = f.study_key
JOIN dbo.meta_batch AS b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current = 1
LEFT JOIN dbo.dim_gene AS g1 ON c.entity_id_1_ref = N'dim_gene.gene_key' AND g1.gene_key = f.entity_id_1
LEFT JOIN dbo.dim_gene AS g2 ON c.entity_id_2_ref = N'dim_gene.gene_key' AND g2.gene_key = f.entity_id_2
LEFT JOIN dbo.dim_sample AS s ON c.entity_id_1_ref = N'dim_sample.sample_key' AND s.sample_key = f.entity_id_1
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = f.study_key AND ss.sample_key = s.sample_key
LEFT JOIN dbo.dim_illness AS si ON si.illness_key = ss.illness_key
LEFT JOIN dbo.dim_illness AS i ON i.illness_key = CASE
    WHEN c.entity_id_1_ref = N'dim_illness.illness_key' THEN f.entity_id_1
    WHEN c.entity_id_2_ref = N'dim_illness.illness_key' THEN f.entity_id_2
END
LEFT JOIN dbo.meta_feature_state AS fs ON fs.study_key = f.study_key AND fs.batch_id = f.batch_id;
