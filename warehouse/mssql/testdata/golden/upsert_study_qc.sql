MERGE dbo.meta_study_qc WITH (HOLDLOCK) AS t
USING (SELECT study_key FROM dbo.dim_study WHERE study_accession_code = @p1) AS s
ON t.study_key = s.study_key
WHEN MATCHED THEN UPDATE SET
    batch_id = @p2,
    ks_statistic = @p3,
    ks_pvalue = @p4,
    ks_warning = @p5,
    quantile_normalized = @p6,
    quant_sf_only = @p7,
    ks_statistic_recomputed = @p8,
    ks_pvalue_recomputed = @p9,
    ks_worst_sample = @p10,
    gene_count = @p11,
    sample_count = @p12,
    cell_count = @p13,
    missing_cells = @p14,
    duplicate_genes = @p15,
    collected_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, batch_id, ks_statistic, ks_pvalue, ks_warning, quantile_normalized, quant_sf_only,
            ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample, gene_count, sample_count,
            cell_count, missing_cells, duplicate_genes)
    VALUES (s.study_key, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15);
