CREATE OR REPLACE TEMP TABLE load_values (
    cell             BIGINT NOT NULL,
    expression_value DOUBLE
)
