-- genexp warehouse, schema version 8 (DuckDB): analytics.vw_feature_values
-- joins its entities by hash.
--
-- Since version 5 the view joined the gene, the second gene and the sample
-- of a feature row on two conditions each, the catalog's reference and the
-- key (c.entity_id_1_ref = 'dim_gene.gene_key' AND g1.gene_key =
-- f.entity_id_1). DuckDB 1.5.6 plans such a left join as a nested loop
-- (BLOCKWISE_NL_JOIN), so reading the view cost feature rows times (2 x
-- genes + samples): 14 s for 610,000 feature rows of two 20,000-gene
-- studies, where the same rows now take 0.09 s. The reference now chooses
-- the key (NULL joins nothing), as the illness join already did, and every
-- join is an equality DuckDB hashes. The rows are the same.

CREATE OR REPLACE VIEW analytics.vw_feature_values AS
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
           WHEN c.entity_id_1_ref = 'dim_illness.illness_key' OR c.entity_id_2_ref = 'dim_illness.illness_key' THEN i.illness_label
           WHEN s.sample_key IS NOT NULL THEN COALESCE(si.illness_label, 'UNKNOWN')
       END AS illness_label,
       f.feature_value,
       f.batch_id,
       f.etl_created_date
FROM fact_feature_values f
JOIN meta_feature_catalog c ON c.feature_name = f.feature_name
JOIN dim_study st ON st.study_key = f.study_key
JOIN meta_batch b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current
LEFT JOIN dim_gene g1 ON g1.gene_key = CASE WHEN c.entity_id_1_ref = 'dim_gene.gene_key' THEN f.entity_id_1 END
LEFT JOIN dim_gene g2 ON g2.gene_key = CASE WHEN c.entity_id_2_ref = 'dim_gene.gene_key' THEN f.entity_id_2 END
LEFT JOIN dim_sample s ON s.sample_key = CASE WHEN c.entity_id_1_ref = 'dim_sample.sample_key' THEN f.entity_id_1 END
LEFT JOIN dim_study_sample ss ON ss.study_key = f.study_key AND ss.sample_key = s.sample_key
LEFT JOIN dim_illness si ON si.illness_key = ss.illness_key
LEFT JOIN dim_illness i ON i.illness_key = CASE
    WHEN c.entity_id_1_ref = 'dim_illness.illness_key' THEN f.entity_id_1
    WHEN c.entity_id_2_ref = 'dim_illness.illness_key' THEN f.entity_id_2
END;
