-- genexp warehouse, schema version 3 (DuckDB): the feature catalog.
--
-- meta_feature_catalog names and defines every feature fact_feature_values
-- may hold. fact_feature_values keeps its version-1 form, without a foreign
-- key to the catalog: DuckDB cannot add one to an existing table, and
-- rebuilding the table is unsafe (DuckDB 1.5 fails to replay, from its
-- write-ahead log, the DROP of a table that has a foreign key, leaving a
-- warehouse that will not open). The feature computation checks its rows
-- against the catalog instead, and the views show only catalogued features.
-- meta_feature_state records, per study, the batch its features were
-- computed from and how. The views show only the features of each study's
-- current batch.
--
-- Formulas use y, the study's analysis value: y = expression_value when
-- meta_feature_state.value_scale is 'value', y = log2(expression_value + 1)
-- when it is 'log2(value+1)' (RNA-seq abundances; see the README). Every
-- feature leaves out NULL (missing) values and samples excluded from
-- analysis; a sample with no illness label counts as UNKNOWN.

CREATE TABLE meta_feature_catalog (
    feature_name     VARCHAR PRIMARY KEY,
    entity_scope     VARCHAR NOT NULL CHECK (entity_scope IN ('GENE', 'GENE_PAIR', 'SAMPLE', 'STUDY_COHORT')),
    -- What entity_id_1 and entity_id_2 hold, as table.column.
    entity_id_1_ref  VARCHAR NOT NULL,
    entity_id_2_ref  VARCHAR,
    description      VARCHAR NOT NULL,
    formula          VARCHAR NOT NULL,
    -- The fewest samples (per group, for a comparison) a value is written for.
    min_samples      INTEGER NOT NULL,
    feature_version  INTEGER NOT NULL,
    etl_created_date TIMESTAMP NOT NULL DEFAULT current_timestamp
);

INSERT INTO meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
    min_samples, feature_version) VALUES
    ('cohort_sample_count', 'STUDY_COHORT', 'dim_illness.illness_key', NULL,
     'Samples of the study in the illness cohort that have at least one measured value.',
     'COUNT(DISTINCT sample) per illness label', 1, 1),
    ('sample_detected_genes', 'SAMPLE', 'dim_sample.sample_key', NULL,
     'Genes detected in the sample: stored value above 0.',
     'COUNT(gene WHERE expression_value > 0)', 1, 1),
    ('sample_mean', 'SAMPLE', 'dim_sample.sample_key', NULL,
     'Mean expression of the sample over its measured genes, on the study''s analysis scale.',
     'AVG(y)', 1, 1),
    ('sample_median', 'SAMPLE', 'dim_sample.sample_key', NULL,
     'Median expression of the sample over its measured genes, on the study''s analysis scale.',
     'median of y (the mean of the two middle values when their number is even)', 1, 1),
    ('gene_cohort_mean', 'GENE', 'dim_gene.gene_key', 'dim_illness.illness_key',
     'Mean expression of the gene in the illness cohort.',
     'AVG(y) over the cohort''s samples measuring the gene', 1, 1),
    ('gene_cohort_sd', 'GENE', 'dim_gene.gene_key', 'dim_illness.illness_key',
     'Sample standard deviation of the gene''s expression in the illness cohort.',
     'sqrt(SUM((y - mean)^2) / (n - 1)) over the cohort''s samples measuring the gene', 2, 1),
    ('gene_cohort_n', 'GENE', 'dim_gene.gene_key', 'dim_illness.illness_key',
     'Samples of the illness cohort measuring the gene.',
     'COUNT(sample) with a value for the gene', 1, 1),
    ('gene_variance', 'GENE', 'dim_gene.gene_key', NULL,
     'Sample variance of the gene''s expression across all the study''s samples, every illness label included; it ranks the genes for gene_pair_pearson_r.',
     'SUM((y - mean)^2) / (n - 1) over the samples measuring the gene', 2, 1),
    ('gene_sepsis_vs_control_log2fc', 'GENE', 'dim_gene.gene_key', NULL,
     'Sepsis (SEPSIS and SEPTIC_SHOCK) against CONTROL: difference of the mean expressions on the analysis scale, a log2 fold change when y is log2-scale (log2 intensities, log2(TPM + 1)).',
     'mean(y | SEPSIS, SEPTIC_SHOCK) - mean(y | CONTROL); written when each side has at least 2 samples', 2, 1),
    ('gene_sepsis_vs_control_welch_t', 'GENE', 'dim_gene.gene_key', NULL,
     'Welch''s t statistic of sepsis (SEPSIS and SEPTIC_SHOCK) against CONTROL.',
     '(mean_S - mean_C) / sqrt(var_S / n_S + var_C / n_C), sample variances; written when each side has at least 2 samples and the denominator is above 0', 2, 1),
    ('gene_pair_pearson_r', 'GENE_PAIR', 'dim_gene.gene_key', 'dim_gene.gene_key',
     'Pearson correlation of two genes across the study''s samples, for every pair of its N most variable genes (highest gene_variance, ties by gene_key; N is meta_feature_state.top_genes); entity_id_1 < entity_id_2.',
     'SUM((y1 - mean1) * (y2 - mean2)) / sqrt(SUM((y1 - mean1)^2) * SUM((y2 - mean2)^2)) over the samples measuring both genes; written for at least 3 such samples and both variances above 0', 3, 1);

-- Features written before the catalog existed get a catalog row saying so,
-- so that the views show them.
INSERT INTO meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
    min_samples, feature_version)
SELECT f.feature_name, MIN(f.entity_scope), 'unknown', NULL, 'Recorded before the feature catalog existed.', 'unknown', 1, 1
FROM fact_feature_values f
WHERE f.feature_name NOT IN (SELECT feature_name FROM meta_feature_catalog)
GROUP BY f.feature_name;

-- One row per study whose features have been computed: from which batch,
-- on which scale, with how many top genes.
CREATE TABLE meta_feature_state (
    study_key    INTEGER PRIMARY KEY REFERENCES dim_study (study_key),
    batch_id     VARCHAR NOT NULL,
    value_scale  VARCHAR NOT NULL,
    top_genes    INTEGER NOT NULL,
    rows_written BIGINT NOT NULL,
    run_id       VARCHAR,
    computed_at  TIMESTAMP NOT NULL
);

-- Each study's features of its current batch, with names for their
-- entities: gene ids (two for a pair), the sample, the illness label (of the
-- cohort, or of the sample).
CREATE VIEW analytics.vw_feature_values AS
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
LEFT JOIN dim_gene g1 ON c.entity_id_1_ref = 'dim_gene.gene_key' AND g1.gene_key = f.entity_id_1
LEFT JOIN dim_gene g2 ON c.entity_id_2_ref = 'dim_gene.gene_key' AND g2.gene_key = f.entity_id_2
LEFT JOIN dim_sample s ON c.entity_id_1_ref = 'dim_sample.sample_key' AND s.sample_key = f.entity_id_1
LEFT JOIN dim_illness si ON si.illness_key = s.illness_key
LEFT JOIN dim_illness i ON i.illness_key = CASE
    WHEN c.entity_id_1_ref = 'dim_illness.illness_key' THEN f.entity_id_1
    WHEN c.entity_id_2_ref = 'dim_illness.illness_key' THEN f.entity_id_2
END;

-- The catalog with, for each feature, how many values the studies' current
-- batches hold and for how many studies.
CREATE VIEW analytics.vw_feature_catalog AS
SELECT c.feature_name,
       c.entity_scope,
       c.entity_id_1_ref,
       c.entity_id_2_ref,
       c.description,
       c.formula,
       c.min_samples,
       c.feature_version,
       COALESCE(v.value_count, 0) AS value_count,
       COALESCE(v.study_count, 0) AS study_count
FROM meta_feature_catalog c
LEFT JOIN (
    SELECT f.feature_name, COUNT(*) AS value_count, COUNT(DISTINCT f.study_key) AS study_count
    FROM fact_feature_values f
    JOIN meta_batch b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current
    GROUP BY f.feature_name
) v ON v.feature_name = c.feature_name;
