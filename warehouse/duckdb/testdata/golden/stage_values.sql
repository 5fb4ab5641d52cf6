INSERT INTO temp.main.load_values (cell, expression_value)
SELECT cell, expression_value FROM genexp_stage_values($1)
