DELETE FROM staging.samples WHERE load_key = $1;
DELETE FROM staging.matrix_rows WHERE load_key = $1;
DELETE FROM staging.matrix_columns WHERE load_key = $1;
DELETE FROM staging.load_batches WHERE load_key = $1
