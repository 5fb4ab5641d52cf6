INSERT INTO dim_gene (gene_id, gene_type)
SELECT r.gene_id, CASE WHEN upper(r.gene_id) LIKE 'AFFX-%' THEN 'control_probe' END
FROM staging.matrix_rows r
WHERE r.load_key = $1
  AND NOT EXISTS (SELECT 1 FROM dim_gene g WHERE g.gene_id = r.gene_id)
GROUP BY r.gene_id
ORDER BY MIN(r.line_no)
