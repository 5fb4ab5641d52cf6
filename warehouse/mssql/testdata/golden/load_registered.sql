SELECT COUNT_BIG(*) FROM staging.loads WHERE load_key = @p1
