MERGE dbo.meta_batch_qc WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS study_accession_code, @p2 AS batch_id, @p3 AS qc_status) AS s
ON t.study_accession_code = s.study_accession_code AND t.batch_id = s.batch_id AND t.qc_status = s.qc_status
WHEN MATCHED THEN UPDATE SET
    run_id = @p4,
    ks_statistic = @p5,
    ks_pvalue = @p6,
    ks_warning = @p7,
    quantile_normalized = @p8,
    quant_sf_only = @p9,
    ks_statistic_recomputed = @p10,
    ks_pvalue_recomputed = @p11,
    ks_worst_sample = @p12,
    gene_count = @p13,
    sample_count = @p14,
    cell_count = @p15,
    missing_cells = @p16,
    duplicate_genes = @p17,
    ks_rows_used = @p18,
    ks_sampled = @p19,
    collected_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_accession_code, batch_id, qc_status, run_id, ks_statistic, ks_pvalue, ks_warning, quantile_normalized,
            quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample, gene_count, sample_count,
            cell_count, missing_cells, duplicate_genes, ks_rows_used, ks_sampled)
    VALUES (s.study_accession_code, s.batch_id, s.qc_status, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14,
            @p15, @p16, @p17, @p18, @p19);
