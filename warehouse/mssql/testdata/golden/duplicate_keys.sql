SELECT (SELECT COUNT_BIG(*) FROM (
            SELECT gene_id FROM staging.matrix_rows WHERE load_key = @p1
            GROUP BY gene_id HAVING COUNT_BIG(*) > 1) AS d),
       (SELECT COUNT_BIG(*) FROM (
            SELECT study_accession_code, sample_accession_code FROM staging.matrix_columns WHERE load_key = @p1
            GROUP BY study_accession_code, sample_accession_code HAVING COUNT_BIG(*) > 1) AS d)
