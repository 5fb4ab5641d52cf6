MERGE dbo.dim_gene WITH (HOLDLOCK) AS t
USING (
    SELECT DISTINCT gene_id
    FROM staging.matrix_rows
    WHERE load_key = @p1
) AS s
ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN
    INSERT (gene_id) VALUES (s.gene_id);
