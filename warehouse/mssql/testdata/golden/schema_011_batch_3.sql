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
