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
