SELECT CONVERT(NVARCHAR(64), HASHBYTES('SHA2_256', CONCAT(COALESCE(b.load_signature, N''), N'|',
    COALESCE(st.study_technology, N''), N'|',
    (SELECT STRING_AGG(CONVERT(NVARCHAR(MAX), CONCAT(s.sample_key, N':', COALESCE(ss.illness_key, 0), N':',
                CONVERT(INT, COALESCE(ss.exclude_from_analysis, 0)))), N',') WITHIN GROUP (ORDER BY s.sample_key)
     FROM dbo.dim_sample AS s
     LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = @p1 AND ss.sample_key = s.sample_key
     WHERE s.sample_key IN (SELECT fe.sample_key FROM dbo.fact_gene_expression AS fe
                            WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32) AND fe.study_key = @p1)))), 2)
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
WHERE st.study_key = @p1
