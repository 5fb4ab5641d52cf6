INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_id)
WITH cols AS (
    SELECT c.column_no, st.study_key, s.sample_key, l.batch_id
    FROM staging.matrix_columns c
    JOIN staging.load_batches l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    JOIN dim_study st ON st.study_accession_code = c.study_accession_code
    WHERE c.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)),
lines AS (
    SELECT r.line_no, g.gene_key
    FROM staging.matrix_rows r
    JOIN dim_gene g ON g.gene_id = r.gene_id
    WHERE r.load_key = $1)
SELECT cols.study_key, cols.sample_key, lines.gene_key, v.expression_value, cols.batch_id
FROM staging.expression_values v
JOIN cols ON cols.column_no = v.column_no
JOIN lines ON lines.line_no = v.line_no
WHERE v.load_key = $1
