-- The architecture's staging.expression_rows, as a view over the
-- normalized staging tables.
CREATE OR ALTER VIEW staging.expression_rows AS
SELECT c.study_accession_code,
       b.batch_id,
       r.gene_id,
       c.sample_accession_code,
       v.expression_value,
       v.line_no,
       v.column_no,
       b.file_name,
       b.file_hash,
       v.load_key
FROM staging.expression_values AS v
JOIN staging.matrix_rows AS r ON r.load_key = v.load_key AND r.line_no = v.line_no
JOIN staging.matrix_columns AS c ON c.load_key = v.load_key AND c.column_no = v.column_no
LEFT JOIN staging.load_batches AS b ON b.load_key = v.load_key AND b.study_accession_code = c.study_accession_code;
