SELECT current_setting('disabled_optimizers')::VARCHAR
