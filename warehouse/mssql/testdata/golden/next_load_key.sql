SELECT NEXT VALUE FOR staging.seq_load_key
