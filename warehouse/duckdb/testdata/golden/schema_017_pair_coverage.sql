-- genexp warehouse, schema version 17 (DuckDB): the genes whose pairs are
-- correlated are measured in most of the study.
--
-- The pairs took a study's N most variable genes, with a variance over as
-- few as two samples. A gene measured in two or three samples of hundreds
-- (a line a study's other platform lacks, or one mostly missing) can have
-- the largest variance by chance, and took a place among the N whose pairs
-- then had too few shared samples to be correlated, or rested on a handful
-- of them. A gene is now ranked only when it is measured in at least three
-- of the study's samples and in at least half of them: its gene_cohort_n
-- rows summed against the study's cohort_sample_count rows summed (the
-- samples with at least one value), as the catalog now says.
--
-- The features of the studies holding a gene below that are made stale
-- (their state's input fingerprint cleared): the next load of the study,
-- or genexp features --if-stale, computes their pairs again.

UPDATE meta_feature_catalog
SET description = 'Pearson correlation of two genes across the study''s samples, for every pair of its N most variable genes (highest gene_variance, ties by gene_key; N is meta_feature_state.top_genes) among those measured in at least 3 of its samples and at least half of them (gene_cohort_n summed against cohort_sample_count summed), control probes (dim_gene.gene_type control_probe) left out; entity_id_1 < entity_id_2.'
WHERE feature_name = 'gene_pair_pearson_r';

UPDATE meta_feature_state SET input_fingerprint = NULL
WHERE study_key IN (
    SELECT g.study_key
    FROM (SELECT study_key, entity_id_1, SUM(feature_value) AS n
          FROM fact_feature_values
          WHERE feature_name = 'gene_cohort_n'
          GROUP BY study_key, entity_id_1) AS g
    JOIN (SELECT study_key, SUM(feature_value) AS samples
          FROM fact_feature_values
          WHERE feature_name = 'cohort_sample_count'
          GROUP BY study_key) AS s ON s.study_key = g.study_key
    WHERE g.n < 3 OR 2 * g.n < s.samples);
