CREATE OR REPLACE TEMP TABLE load_values (
    line_no          BIGINT NOT NULL,
    column_no        INTEGER NOT NULL,
    expression_value DOUBLE
)
