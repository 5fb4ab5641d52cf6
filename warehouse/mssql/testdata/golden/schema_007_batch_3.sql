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
