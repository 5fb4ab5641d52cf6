DELETE ss
FROM dbo.dim_study_sample AS ss
WHERE ss.study_key = @p2
  AND NOT EXISTS (
    SELECT 1
    FROM staging.matrix_columns AS c
    JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = @p1 AND c.study_accession_code = @p3 AND s.sample_key = ss.sample_key);
