INSERT INTO dim_gene (gene_id)
SELECT r.gene_id
FROM staging.matrix_rows r
WHERE r.load_key = $1
  AND NOT EXISTS (SELECT 1 FROM dim_gene g WHERE g.gene_id = r.gene_id)
GROUP BY r.gene_id
ORDER BY MIN(r.line_no)
