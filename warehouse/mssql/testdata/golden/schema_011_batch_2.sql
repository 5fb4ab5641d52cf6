UPDATE ss
SET exclude_from_analysis = s.exclude_from_analysis
FROM dbo.dim_study_sample AS ss
JOIN dbo.dim_sample AS s ON s.sample_key = ss.sample_key
WHERE ss.exclude_from_analysis <> s.exclude_from_analysis;
