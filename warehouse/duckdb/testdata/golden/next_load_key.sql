SELECT nextval('seq_load_key')
