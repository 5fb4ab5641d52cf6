SELECT (SELECT COUNT_BIG(*) FROM staging.expression_values WHERE load_key = @p1),
       (SELECT COUNT_BIG(*) FROM staging.matrix_rows WHERE load_key = @p1),
       (SELECT COUNT_BIG(*) FROM staging.matrix_columns WHERE load_key = @p1)
