-- genexp warehouse, schema version 9 (SQL Server 2022): the catalog says
-- what gene_sepsis_vs_control_log2fc is on each scale. The same change as
-- the DuckDB backend's version 10.
--
-- Its description called it a log2 fold change "when y is log2-scale (log2
-- intensities, log2(TPM + 1))", which read as if refine.bio's microarray
-- values were log2 intensities; they are normalized values centred near 0,
-- on which the feature is a plain difference of the stored values.

UPDATE dbo.meta_feature_catalog
SET description = N'Sepsis (SEPSIS and SEPTIC_SHOCK) against CONTROL: difference of the mean expressions on the study''s analysis scale (meta_feature_state.value_scale): a log2 fold change where that is log2(value+1) (RNA-seq), a difference of the stored values where it is value (refine.bio''s microarray values are normalized values centred near 0, not log2 intensities).'
WHERE feature_name = N'gene_sepsis_vs_control_log2fc';
