DELETE FROM staging.expression_values WHERE load_key = @p1 AND line_no >= @p2 AND line_no < @p3
