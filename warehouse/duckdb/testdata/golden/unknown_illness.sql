SELECT COALESCE(string_agg(DISTINCT t.illness_label, ', '), '')
FROM staging.samples t
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
WHERE t.load_key = $1 AND t.illness_label IS NOT NULL AND i.illness_key IS NULL
