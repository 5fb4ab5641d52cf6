INSERT INTO temp.main.load_values (line_no, column_no, expression_value)
SELECT line_no, column_no, expression_value FROM genexp_stage_values($1)
