UPDATE meta_batch_qc SET
    run_id = $4,
    ks_statistic = $5,
    ks_pvalue = $6,
    ks_warning = $7,
    quantile_normalized = $8,
    quant_sf_only = $9,
    ks_statistic_recomputed = $10,
    ks_pvalue_recomputed = $11,
    ks_worst_sample = $12,
    gene_count = $13,
    sample_count = $14,
    cell_count = $15,
    missing_cells = $16,
    duplicate_genes = $17,
    ks_rows_used = $18,
    ks_sampled = $19,
    collected_at = now()
WHERE study_accession_code = $1 AND batch_id = $2 AND qc_status = $3;
INSERT INTO meta_batch_qc (study_accession_code, batch_id, qc_status, run_id, ks_statistic, ks_pvalue,
    ks_warning, quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, ks_rows_used, ks_sampled, collected_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now()
WHERE NOT EXISTS (SELECT 1 FROM meta_batch_qc WHERE study_accession_code = $1 AND batch_id = $2 AND qc_status = $3)
