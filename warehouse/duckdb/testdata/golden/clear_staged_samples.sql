DELETE FROM staging.samples WHERE load_key = $1
