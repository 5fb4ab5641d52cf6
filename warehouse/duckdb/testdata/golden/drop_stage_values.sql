DROP TABLE IF EXISTS temp.main.load_values
