INSERT INTO staging.expression_values (load_key, line_no, column_no, expression_value)
SELECT $1, line_no, column_no, expression_value FROM genexp_stage_values($2)
