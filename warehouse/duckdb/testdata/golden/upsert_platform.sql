INSERT INTO dim_platform (platform_accession, platform_name, manufacturer, measurement_technology)
VALUES ($1, $2, $3, $4)
ON CONFLICT (platform_accession) DO UPDATE SET
    platform_name = excluded.platform_name,
    manufacturer = excluded.manufacturer,
    measurement_technology = excluded.measurement_technology,
    etl_updated_date = now()
WHERE dim_platform.platform_name IS DISTINCT FROM excluded.platform_name
   OR dim_platform.manufacturer IS DISTINCT FROM excluded.manufacturer
   OR dim_platform.measurement_technology IS DISTINCT FROM excluded.measurement_technology
