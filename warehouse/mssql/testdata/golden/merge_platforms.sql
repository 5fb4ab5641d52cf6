MERGE dbo.dim_platform WITH (HOLDLOCK) AS t
USING (
    SELECT d.platform_accession, d.platform_name, d.manufacturer, d.measurement_technology
    FROM (
        SELECT platform_accession, platform_name, manufacturer, measurement_technology,
               ROW_NUMBER() OVER (PARTITION BY platform_accession ORDER BY ordinal DESC) AS rn
        FROM staging.dim_platform
        WHERE load_key = @p1
    ) AS d
    WHERE d.rn = 1
) AS s
ON t.platform_accession = s.platform_accession
WHEN MATCHED AND EXISTS (
    SELECT s.platform_name, s.manufacturer, s.measurement_technology
    EXCEPT
    SELECT t.platform_name, t.manufacturer, t.measurement_technology
) THEN UPDATE SET
    platform_name = s.platform_name,
    manufacturer = s.manufacturer,
    measurement_technology = s.measurement_technology,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (platform_accession, platform_name, manufacturer, measurement_technology)
    VALUES (s.platform_accession, s.platform_name, s.manufacturer, s.measurement_technology);
