INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
WITH cols AS (
    SELECT c.column_no, {'study_key': st.study_key, 'sample_key': s.sample_key, 'batch_key': l.batch_key} AS k
    FROM staging.matrix_columns c
    JOIN staging.load_batches l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    JOIN dim_study st ON st.study_accession_code = c.study_accession_code
    WHERE c.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
    QUALIFY row_number() OVER (PARTITION BY c.column_no ORDER BY c.study_accession_code) = $3),
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
    SELECT (SELECT list(cols.k ORDER BY n.i) FROM bounds, range(bounds.columns) n(i)
                LEFT JOIN cols ON cols.column_no = n.i) AS cols,
           (SELECT list(lines.gene_key ORDER BY n.i) FROM bounds, range(bounds.first_line, bounds.end_line) n(i)
                LEFT JOIN lines ON lines.line_no = n.i) AS genes,
           bounds.first_line
    FROM bounds),
cells AS (
    SELECT lookup.cols[(v.cell & 16777215) + 1] AS c,
           lookup.genes[(v.cell >> 24) - lookup.first_line + 1] AS gene_key,
           v.expression_value,
           v.cell
    FROM temp.main.load_values v, lookup),
sorted AS (
    SELECT c.study_key, c.sample_key, gene_key, expression_value, c.batch_key
    FROM cells
    WHERE c IS NOT NULL
    ORDER BY c.study_key, cell)
SELECT study_key, sample_key, gene_key, expression_value, batch_key
FROM sorted
