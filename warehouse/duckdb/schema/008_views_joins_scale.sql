-- genexp warehouse, schema version 8 (DuckDB): the analytics views join by
-- hash, and say which scale a study's values are on.
--
-- Joins. Since version 5 analytics.vw_feature_values joined the gene, the
-- second gene and the sample of a feature row on two conditions each, the
-- catalog's reference and the key (c.entity_id_1_ref = 'dim_gene.gene_key'
-- AND g1.gene_key = f.entity_id_1). DuckDB 1.5.6 plans such a left join as
-- a nested loop (BLOCKWISE_NL_JOIN), so reading the view cost feature rows
-- times (2 x genes + samples): 14 s for 610,000 feature rows of two
-- 20,000-gene studies, where the same rows now take 0.09 s. The reference
-- now chooses the key (NULL joins nothing), as the illness join already
-- did, and every join is an equality DuckDB hashes. The rows are the same.
--
-- Scales. A study's stored values are on its technology's scale (the
-- RNA-seq download SRP110235 holds 0 to 937,478, the microarray download
-- GSE71270 -0.50 to 4.98), and its features on the analysis scale
-- warehouse.FeatureScale chose for it: meta_feature_state.value_scale,
-- 'value' (y = expression_value) or 'log2(value+1)'. Nothing in the views
-- said so, and an aggregate across studies pooled the two. vw_expression_long,
-- vw_expression_by_cohort and vw_feature_values end with two more columns:
-- study_technology (dim_study; NULL when the metadata does not say) and
-- value_scale, the scale of the features computed from the row's batch,
-- NULL until the study's features of its current batch are computed (a new
-- batch's facts show NULL until the analytics step has run for it). The
-- earlier columns keep their names and order.

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
WHERE NOT s.exclude_from_analysis;

-- The technology and the scale join the cohorts after the aggregate. The
-- scale joined to every fact and grouped by cost a 10M-value warehouse
-- 0.83 CPU-s to read the view whole, where it had taken 0.58; joined here,
-- the view costs what it did (a study's facts are all of its current
-- batch, so its current features' scale is the facts' scale). The
-- technology as a grouping column cost nothing measurable, but a study's
-- std_expression then changed in its last bits when another study was
-- loaded (TestStudiesSharingSamples), which the view without it never did.
-- A filter on the study still reaches below the aggregate; one on the
-- technology or the scale does not.
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
    WHERE NOT s.exclude_from_analysis
      AND fe.expression_value IS NOT NULL
    GROUP BY st.study_accession_code, COALESCE(i.illness_label, 'UNKNOWN'), g.gene_id
) c
JOIN dim_study st ON st.study_accession_code = c.study_accession_code
LEFT JOIN (
    SELECT fs.study_key, fs.value_scale
    FROM meta_feature_state fs
    JOIN meta_batch b ON b.batch_id = fs.batch_id AND b.study_key = fs.study_key AND b.is_current
) fs ON fs.study_key = st.study_key;

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
       f.etl_created_date,
       st.study_technology,
       fs.value_scale
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
END
LEFT JOIN meta_feature_state fs ON fs.study_key = f.study_key AND fs.batch_id = f.batch_id;
