SELECT nextval('seq_feature_record_key')
