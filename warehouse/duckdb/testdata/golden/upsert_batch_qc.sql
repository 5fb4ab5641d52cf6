INSERT INTO meta_batch_qc (study_accession_code, batch_id, qc_status, run_id, ks_statistic, ks_pvalue,
    ks_warning, quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, ks_rows_used, ks_sampled, collected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now())
ON CONFLICT (study_accession_code, batch_id, qc_status) DO UPDATE SET
    run_id = excluded.run_id,
    ks_statistic = excluded.ks_statistic,
    ks_pvalue = excluded.ks_pvalue,
    ks_warning = excluded.ks_warning,
    quantile_normalized = excluded.quantile_normalized,
    quant_sf_only = excluded.quant_sf_only,
    ks_statistic_recomputed = excluded.ks_statistic_recomputed,
    ks_pvalue_recomputed = excluded.ks_pvalue_recomputed,
    ks_worst_sample = excluded.ks_worst_sample,
    ks_rows_used = excluded.ks_rows_used,
    ks_sampled = excluded.ks_sampled,
    gene_count = excluded.gene_count,
    sample_count = excluded.sample_count,
    cell_count = excluded.cell_count,
    missing_cells = excluded.missing_cells,
    duplicate_genes = excluded.duplicate_genes,
    collected_at = excluded.collected_at
