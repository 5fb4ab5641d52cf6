-- genexp warehouse, schema version 13 (SQL Server 2022): the samples behind
-- each gene pair's correlation, and the degrees of freedom of Welch's t.
-- The same change as the DuckDB backend's version 14.
--
-- gene_pair_n counts the samples a pair's correlation rests on, which
-- gene_cohort_n cannot give when values are missing: each gene may miss
-- different samples. gene_sepsis_vs_control_welch_df gives Welch's t its
-- degrees of freedom, so a p-value is one call away (R: 2 * pt(-abs(t),
-- df); Python: 2 * scipy.stats.t.sf(abs(t), df)).
--
-- Features computed before this version lack both. Their state's input
-- fingerprint is cleared, so each study reads as stale: the next load of
-- the study, or genexp features --if-stale, computes them again.

INSERT INTO dbo.meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
    min_samples, feature_version) VALUES
    (N'gene_sepsis_vs_control_welch_df', N'GENE', N'dim_gene.gene_key', NULL,
     N'Welch–Satterthwaite degrees of freedom of gene_sepsis_vs_control_welch_t; with t they give its p-value (two-sided: 2 * P(T_df > |t|)).',
     N'(q_S + q_C)^2 / (q_S^2 / (n_S - 1) + q_C^2 / (n_C - 1)) with q = var / n, sample variances; written where gene_sepsis_vs_control_welch_t is', 2, 1),
    (N'gene_pair_n', N'GENE_PAIR', N'dim_gene.gene_key', N'dim_gene.gene_key',
     N'Samples measuring both genes of a pair: the n that gene_pair_pearson_r rests on; written where gene_pair_pearson_r is.',
     N'COUNT(sample) with a value for both genes', 3, 1);

UPDATE dbo.meta_feature_state SET input_fingerprint = NULL;
