INSERT INTO dbo.meta_batch_qc (study_accession_code, batch_id, qc_status, ks_statistic, ks_pvalue, ks_warning,
    quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, collected_at)
SELECT st.study_accession_code, q.batch_id, N'LOADED', q.ks_statistic, q.ks_pvalue, q.ks_warning,
    q.quantile_normalized, q.quant_sf_only, q.ks_statistic_recomputed, q.ks_pvalue_recomputed, q.ks_worst_sample,
    q.gene_count, q.sample_count, q.cell_count, q.missing_cells, q.duplicate_genes, q.collected_at
FROM dbo.meta_study_qc AS q
JOIN dbo.dim_study AS st ON st.study_key = q.study_key
WHERE q.batch_id IS NOT NULL;
