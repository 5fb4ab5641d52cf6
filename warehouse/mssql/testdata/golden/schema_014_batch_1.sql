-- genexp warehouse, schema version 14 (SQL Server 2022): Affymetrix control
-- probe sets are typed, and left out of the gene pairs. The same change as
-- the DuckDB backend's version 15.
--
-- Older refine.bio microarray downloads keep the array's control probe
-- sets (AFFX-BioB-3_at, AFFX-Dr-U43284-1_s, ...) beside the Ensembl genes.
-- They measure the assay, not the sample, and can be the most variable
-- lines of a study, so they took places among the top genes whose pairs
-- are correlated. dim_gene.gene_type marks them 'control_probe' (a load
-- sets it for the genes it adds; warehouse.ControlProbe), and the pairs
-- leave out every line so typed, as the catalog now says.
--
-- The features of the studies holding a control probe set are made stale
-- (their state's input fingerprint cleared): the next load of the study,
-- or genexp features --if-stale, computes their pairs again.

UPDATE dbo.dim_gene SET gene_type = N'control_probe'
WHERE gene_type IS NULL AND UPPER(gene_id) LIKE N'AFFX-%';

UPDATE dbo.meta_feature_catalog
SET description = N'Pearson correlation of two genes across the study''s samples, for every pair of its N most variable genes (highest gene_variance, ties by gene_key; N is meta_feature_state.top_genes), control probes (dim_gene.gene_type control_probe) left out; entity_id_1 < entity_id_2.'
WHERE feature_name = N'gene_pair_pearson_r';

UPDATE dbo.meta_feature_state SET input_fingerprint = NULL
WHERE study_key IN (
    SELECT DISTINCT fe.study_key
    FROM dbo.fact_gene_expression AS fe
    WHERE fe.gene_key IN (SELECT g.gene_key FROM dbo.dim_gene AS g WHERE g.gene_type = N'control_probe'));
