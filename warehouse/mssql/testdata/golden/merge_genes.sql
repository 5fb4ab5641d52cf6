MERGE dbo.dim_gene WITH (HOLDLOCK) AS t
USING (
    SELECT DISTINCT gene_id
    FROM staging.matrix_rows
    WHERE load_key = @p1
) AS s
ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN
    INSERT (gene_id, gene_type)
    VALUES (s.gene_id, CASE WHEN UPPER(s.gene_id) LIKE N'AFFX-%' THEN N'control_probe' END);
