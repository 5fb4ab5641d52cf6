DELETE FROM staging.expression_values WHERE load_key = @p1;
DELETE FROM staging.matrix_rows WHERE load_key = @p1;
DELETE FROM staging.matrix_columns WHERE load_key = @p1;
DELETE FROM staging.load_batches WHERE load_key = @p1;
DELETE FROM staging.dim_sample WHERE load_key = @p1;
DELETE FROM staging.dim_study WHERE load_key = @p1;
DELETE FROM staging.dim_platform WHERE load_key = @p1;
DELETE FROM staging.loads WHERE load_key = @p1;
