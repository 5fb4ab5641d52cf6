-- genexp warehouse, schema version 2 (SQL Server 2022): the feature catalog.
--
-- The same catalog, state and views as the DuckDB backend's version 3, in
-- T-SQL. meta_feature_catalog names and defines every feature
-- fact_feature_values may hold, and a foreign key makes a value without a
-- definition impossible to write. meta_feature_state records, per study,
-- the batch its features were computed from and how. The views show only
-- the features of each study's current batch.
--
-- Formulas use y, the study's analysis value: y = expression_value when
-- meta_feature_state.value_scale is 'value', y = log2(expression_value + 1)
-- when it is 'log2(value+1)'. Every feature leaves out NULL (missing)
-- values and samples excluded from analysis; a sample with no illness
-- label counts as UNKNOWN.
--
-- feature_name keeps the database's default collation on both sides of the
-- foreign key, as fact_feature_values has it since version 1: a foreign
-- key joins columns of one collation.

CREATE TABLE dbo.meta_feature_catalog (
    feature_name     NVARCHAR(100) NOT NULL CONSTRAINT pk_meta_feature_catalog PRIMARY KEY,
    entity_scope     NVARCHAR(20) NOT NULL CONSTRAINT ck_meta_feature_catalog_scope CHECK (entity_scope IN (N'GENE', N'GENE_PAIR', N'SAMPLE', N'STUDY_COHORT')),
    -- What entity_id_1 and entity_id_2 hold, as table.column.
    entity_id_1_ref  NVARCHAR(100) NOT NULL,
    entity_id_2_ref  NVARCHAR(100) NULL,
    description      NVARCHAR(1000) NOT NULL,
    formula          NVARCHAR(1000) NOT NULL,
    -- The fewest samples (per group, for a comparison) a value is written for.
    min_samples      INT NOT NULL,
    feature_version  INT NOT NULL,
    etl_created_date DATETIME2 NOT NULL CONSTRAINT df_meta_feature_catalog_created DEFAULT SYSUTCDATETIME()
);

INSERT INTO dbo.meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
    min_samples, feature_version) VALUES
    (N'cohort_sample_count', N'STUDY_COHORT', N'dim_illness.illness_key', NULL,
     N'Samples of the study in the illness cohort that have at least one measured value.',
     N'COUNT(DISTINCT sample) per illness label', 1, 1),
    (N'sample_detected_genes', N'SAMPLE', N'dim_sample.sample_key', NULL,
     N'Genes detected in the sample: stored value above 0.',
     N'COUNT(gene WHERE expression_value > 0)', 1, 1),
    (N'sample_mean', N'SAMPLE', N'dim_sample.sample_key', NULL,
     N'Mean expression of the sample over its measured genes, on the study''s analysis scale.',
     N'AVG(y)', 1, 1),
    (N'sample_median', N'SAMPLE', N'dim_sample.sample_key', NULL,
     N'Median expression of the sample over its measured genes, on the study''s analysis scale.',
     N'median of y (the mean of the two middle values when their number is even)', 1, 1),
    (N'gene_cohort_mean', N'GENE', N'dim_gene.gene_key', N'dim_illness.illness_key',
     N'Mean expression of the gene in the illness cohort.',
     N'AVG(y) over the cohort''s samples measuring the gene', 1, 1),
    (N'gene_cohort_sd', N'GENE', N'dim_gene.gene_key', N'dim_illness.illness_key',
     N'Sample standard deviation of the gene''s expression in the illness cohort.',
     N'sqrt(SUM((y - mean)^2) / (n - 1)) over the cohort''s samples measuring the gene', 2, 1),
    (N'gene_cohort_n', N'GENE', N'dim_gene.gene_key', N'dim_illness.illness_key',
     N'Samples of the illness cohort measuring the gene.',
     N'COUNT(sample) with a value for the gene', 1, 1),
    (N'gene_variance', N'GENE', N'dim_gene.gene_key', NULL,
     N'Sample variance of the gene''s expression across all the study''s samples, every illness label included; it ranks the genes for gene_pair_pearson_r.',
     N'SUM((y - mean)^2) / (n - 1) over the samples measuring the gene', 2, 1),
    (N'gene_sepsis_vs_control_log2fc', N'GENE', N'dim_gene.gene_key', NULL,
     N'Sepsis (SEPSIS and SEPTIC_SHOCK) against CONTROL: difference of the mean expressions on the analysis scale, a log2 fold change when y is log2-scale (log2 intensities, log2(TPM + 1)).',
     N'mean(y | SEPSIS, SEPTIC_SHOCK) - mean(y | CONTROL); written when each side has at least 2 samples', 2, 1),
    (N'gene_sepsis_vs_control_welch_t', N'GENE', N'dim_gene.gene_key', NULL,
     N'Welch''s t statistic of sepsis (SEPSIS and SEPTIC_SHOCK) against CONTROL.',
     N'(mean_S - mean_C) / sqrt(var_S / n_S + var_C / n_C), sample variances; written when each side has at least 2 samples and the denominator is above 0', 2, 1),
    (N'gene_pair_pearson_r', N'GENE_PAIR', N'dim_gene.gene_key', N'dim_gene.gene_key',
     N'Pearson correlation of two genes across the study''s samples, for every pair of its N most variable genes (highest gene_variance, ties by gene_key; N is meta_feature_state.top_genes); entity_id_1 < entity_id_2.',
     N'SUM((y1 - mean1) * (y2 - mean2)) / sqrt(SUM((y1 - mean1)^2) * SUM((y2 - mean2)^2)) over the samples measuring both genes; written for at least 3 such samples and both variances above 0', 3, 1);

-- Features written before the catalog existed keep their rows: each name
-- gets a catalog row saying so, and the foreign key below holds for them.
INSERT INTO dbo.meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
    min_samples, feature_version)
SELECT f.feature_name, MIN(f.entity_scope), N'unknown', NULL, N'Recorded before the feature catalog existed.', N'unknown', 1, 1
FROM dbo.fact_feature_values AS f
WHERE NOT EXISTS (SELECT 1 FROM dbo.meta_feature_catalog AS c WHERE c.feature_name = f.feature_name)
GROUP BY f.feature_name;

ALTER TABLE dbo.fact_feature_values WITH CHECK
    ADD CONSTRAINT fk_fact_feature_values_feature FOREIGN KEY (feature_name) REFERENCES dbo.meta_feature_catalog (feature_name);

-- A study's features are deleted, rewritten and read together: the index
-- serves the delete and covers the reads of one study's feature.
CREATE INDEX ix_fact_feature_values_study ON dbo.fact_feature_values (study_key, feature_name)
    INCLUDE (entity_scope, entity_id_1, entity_id_2, feature_value, batch_id);

-- One row per study whose features have been computed: from which batch,
-- on which scale, with how many top genes.
CREATE TABLE dbo.meta_feature_state (
    study_key    INT NOT NULL CONSTRAINT pk_meta_feature_state PRIMARY KEY
                     CONSTRAINT fk_meta_feature_state_study REFERENCES dbo.dim_study (study_key),
    batch_id     NVARCHAR(64) NOT NULL,
    value_scale  NVARCHAR(32) NOT NULL,
    top_genes    INT NOT NULL,
    rows_written BIGINT NOT NULL,
    run_id       NVARCHAR(64) NULL,
    computed_at  DATETIME2 NOT NULL
);
