SELECT MIN(line_no), MAX(line_no), COUNT_BIG(*) FROM staging.expression_values WHERE load_key = @p1
