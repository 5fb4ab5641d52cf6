INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
WITH cols AS (
    SELECT c.column_no, s.sample_key
    FROM staging.matrix_columns c
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = $1 AND c.study_accession_code = $2),
lines AS (
    SELECT r.line_no, g.gene_key
    FROM staging.matrix_rows r
    JOIN dim_gene g ON g.gene_id = r.gene_id
    WHERE r.load_key = $1),
bounds AS (
    SELECT COALESCE((SELECT MAX(column_no) + 1 FROM staging.matrix_columns WHERE load_key = $1), 0) AS columns,
           COALESCE((SELECT MIN(line_no) FROM lines), 0) AS first_line,
           COALESCE((SELECT MAX(line_no) + 1 FROM lines), 0) AS end_line),
lookup AS (
    SELECT (SELECT study_key FROM dim_study WHERE study_accession_code = $2) AS study_key,
           (SELECT batch_key FROM staging.load_batches WHERE load_key = $1 AND batch_id = $3) AS batch_key,
           (SELECT list(cols.sample_key ORDER BY n.i) FROM bounds, range(bounds.columns) n(i)
                LEFT JOIN cols ON cols.column_no = n.i) AS samples,
           (SELECT list(lines.gene_key ORDER BY n.i) FROM bounds, range(bounds.first_line, bounds.end_line) n(i)
                LEFT JOIN lines ON lines.line_no = n.i) AS genes,
           bounds.first_line
    FROM bounds),
cells AS (
    SELECT lookup.study_key,
           lookup.samples[(v.cell & 16777215) + 1] AS sample_key,
           lookup.genes[(v.cell >> 24) - lookup.first_line + 1] AS gene_key,
           v.expression_value,
           lookup.batch_key
    FROM temp.main.load_values v, lookup)
SELECT study_key, sample_key, gene_key, expression_value, batch_key
FROM cells
WHERE sample_key IS NOT NULL
