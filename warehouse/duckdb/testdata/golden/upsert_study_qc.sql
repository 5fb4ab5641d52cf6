UPDATE meta_study_qc SET
    batch_id = $2,
    ks_statistic = $3,
    ks_pvalue = $4,
    ks_warning = $5,
    quantile_normalized = $6,
    quant_sf_only = $7,
    ks_statistic_recomputed = $8,
    ks_pvalue_recomputed = $9,
    ks_worst_sample = $10,
    gene_count = $11,
    sample_count = $12,
    cell_count = $13,
    missing_cells = $14,
    duplicate_genes = $15,
    collected_at = now()
WHERE study_key = (SELECT study_key FROM dim_study WHERE study_accession_code = $1);
INSERT INTO meta_study_qc (study_key, batch_id, ks_statistic, ks_pvalue, ks_warning,
    quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, collected_at)
SELECT st.study_key, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()
FROM dim_study st WHERE st.study_accession_code = $1
  AND NOT EXISTS (SELECT 1 FROM meta_study_qc q WHERE q.study_key = st.study_key)
