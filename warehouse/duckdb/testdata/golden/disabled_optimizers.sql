SELECT current_setting('disabled_optimizers')::VARCHAR, current_setting('access_mode')::VARCHAR
